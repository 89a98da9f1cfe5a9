from nbcampus.apps import main

main()
