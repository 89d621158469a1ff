"""LED signs: templates, render jobs, and the images their controllers play."""
