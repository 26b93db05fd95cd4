"""Who is who: the organisation's domains, the party of an address and the one address
normaliser for delivery identity."""
