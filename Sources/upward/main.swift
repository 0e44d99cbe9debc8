import Foundation
import UpwardServer

UpwardMain.runTasksOnEventLoops()
exit(await UpwardMain.run())
