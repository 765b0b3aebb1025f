"""Models of an outbreak: compiled reaction networks and the closed forms of their analysis."""
