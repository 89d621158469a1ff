"""The project: signage.yaml, content and templates, read and validated once into typed objects.

Import what you need from the submodules (``signage.project.loader`` and friends); this
package imports nothing itself, so template models can use its base types freely.
"""
