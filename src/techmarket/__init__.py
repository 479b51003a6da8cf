"""TechMarket 科技大市场: technology-transfer platform."""

__version__ = "0.1.0"
