"""Planning: the catalogs, the memory and speed estimators, and what a team should buy.

Data (catalog, models, quant, prices, hfconfig) → estimators (memory, training, estimate, speed) →
answers (vram_report, recommend, workstation, tiers, rent, glance) → figures and reports.
"""
