"""exports"""

ROUTES = []
