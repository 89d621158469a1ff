"""Print cards and signs: templates in millimetres, one layout, PDF and PNG painters."""
