from .apps.main import main

main()
