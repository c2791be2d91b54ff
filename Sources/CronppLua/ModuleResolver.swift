import Foundation

/// Finds `require`d modules: a dotted name (`lib.util`) is `lib/util.lua` inside the tasks
/// folder, after resolving symlinks, and must be a regular file there (DESIGN.md section 5).
struct ModuleResolver {
  static let maxBytes = 1 << 20
  /// The folder, symlinks resolved.
  let root: String

  init?(root: String) {
    guard let real = Self.realPath(root) else { return nil }
    self.root = real
  }

  /// The module's text and the chunk name its errors will carry.
  func source(of name: String) throws(BridgeError) -> (text: String, chunkName: String) {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    let valid = parts.allSatisfy { part in
      !part.isEmpty && part.allSatisfy { $0 == "_" || $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
    guard valid, name.utf8.count <= 200 else {
      throw BridgeError("'\(name)' is not a module name (dotted words: lib.util)")
    }
    let relative = parts.joined(separator: "/") + ".lua"
    guard let real = Self.realPath(root + "/" + relative) else {
      throw BridgeError("module '\(name)' not found (looked for \(relative) in \(root))")
    }
    guard real.hasPrefix(root + "/") else { throw BridgeError("module '\(name)' resolves outside \(root)") }
    var info = stat()
    guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw BridgeError("module '\(name)' is not a regular file")
    }
    guard info.st_size <= Self.maxBytes, let data = FileManager.default.contents(atPath: real) else {
      throw BridgeError("module '\(name)' is unreadable or larger than 1 MiB")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw BridgeError("module '\(name)' is not UTF-8 text") }
    return (text, relative)
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
