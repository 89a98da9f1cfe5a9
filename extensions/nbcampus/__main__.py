from nbcampus.apps.main import main

main()
