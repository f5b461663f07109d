"""The page "Overblik for ledere" (`/ui/leaders`): the leaders' overview with server-made SVG
charts, their tables and their CSV and workbook downloads."""
