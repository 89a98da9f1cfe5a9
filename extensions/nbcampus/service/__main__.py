from nbcampus.service.app import main

main()
