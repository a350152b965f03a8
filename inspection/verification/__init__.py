"""扫码验真: every printed document carries a QR code and a short code leading to a public page."""
