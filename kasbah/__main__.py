from kasbah.entry import main

main()
