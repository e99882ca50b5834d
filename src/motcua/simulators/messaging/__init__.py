"""SMS and e-mail gateways, simulated: they store what they receive, once per request id."""
