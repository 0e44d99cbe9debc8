import Foundation
import UpwardServer

exit(await UpwardMain.run())
