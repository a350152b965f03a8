"""The offline field app: an installable page that keeps working without signal."""
