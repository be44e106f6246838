import CurlHTTP
import Foundation
FileHandle.standardError.write(Data("usage: chargekit-bench transport\n".utf8))
exit(64)
