"""gridscout: where should an AI data center go? Power, cooling, water and carbon from open data."""

__version__ = "0.1.0"
