import Testing
@testable import LatentCLI
