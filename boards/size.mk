# placeholder
size:
	@echo todo
