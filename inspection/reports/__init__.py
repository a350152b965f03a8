"""PDF documents and reports rendered with WeasyPrint."""
