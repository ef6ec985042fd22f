"""The registration pages, by audience: the public forms (public), the attendee's private
manage links (manage), the organisers' lists and actions (organiser), their registration
questions (questions) and the JSON API (api). Each module only reads and calls the services."""
