from callroute.cli import main

main()
