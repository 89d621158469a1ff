"""The project: signage.yaml, content and fonts, read and validated once into typed objects."""

from .loader import Project, find_project_dir, load_project

__all__ = ["Project", "find_project_dir", "load_project"]
