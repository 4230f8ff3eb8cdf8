"""Plane shapes for the floor-plan tool: areas, perimeters and bounding boxes."""
