"""The population database (CSDL quốc gia về dân cư), simulated: DOMAIN-integration.md §6."""
