"""Teams: who belongs to which series, with which role, and what each role may do."""
