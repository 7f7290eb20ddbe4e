"""parindex: built by its own issue; the app exists so the layout is stable."""
