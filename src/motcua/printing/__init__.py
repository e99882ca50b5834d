"""Printable one-stop forms (biểu mẫu) as PDF: Circular 03/2025/TT-VPCP and 01/2018/TT-VPCP."""
