from cluneal.cli import main

main()
