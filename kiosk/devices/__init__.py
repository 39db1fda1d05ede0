"""Devices the office drives besides the printer package: speech synthesis (espeak-ng)."""
