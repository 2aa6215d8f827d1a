"""Readers of dataset layouts, image decoding, the image cache and the demo generator."""
