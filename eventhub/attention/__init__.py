"""The organiser home: what needs an organiser's attention now, across every series."""
