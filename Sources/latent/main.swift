import LatentCLI

LatentCommand.main()
