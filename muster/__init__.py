"""Muster: training and continuing-education compliance for law-enforcement agencies."""
