import LatentCLI

await LatentCommand.main()
