// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "cronpp",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "cronpp", targets: ["cronpp"]),
    .library(name: "CronppSchedule", targets: ["CronppSchedule"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    // Pure schedule engine: Foundation only, no I/O (DESIGN.md section 1).
    .target(name: "CronppSchedule"),
    // The SQLite store: tasks, runs, state, instances, audit (GRDB).
    .target(
      name: "CronppStore",
      dependencies: ["CronppSchedule", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    // Debian's liblua5.4-dev; the Lua runtime issue builds CronppLua on it.
    .systemLibrary(
      name: "CLua",
      pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"])]
    ),
    // The Lua runtime: sandbox, budgets, bridges. Knows nothing of the store.
    .target(name: "CronppLua", dependencies: ["CLua", "CLuaStrings"]),
    // Lua's string library with pattern matching that answers to the run's budget.
    .target(name: "CLuaStrings", dependencies: ["CLua"]),
    // Runs tasks: wires the Lua bridges to the store, the data database, HTTP and processes.
    .target(
      name: "CronppEngine",
      dependencies: [
        "CronppLua", "CronppStore", "CronppSchedule",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "cronpp",
      dependencies: [
        "CronppSchedule",
        "CronppStore",
        "CronppLua",
        "CronppEngine",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ]
    ),
    .executableTarget(
      name: "cronpp-bench",
      dependencies: ["CronppSchedule"],
      path: "Benchmarks/cronpp-bench"
    ),
    .executableTarget(
      name: "cronpp-lua-bench",
      dependencies: ["CronppLua", "CLua"],
      path: "Benchmarks/cronpp-lua-bench"
    ),
    .testTarget(
      name: "CronppScheduleTests",
      dependencies: [
        "CronppSchedule",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(name: "CronppLuaTests", dependencies: ["CronppLua"]),
    .testTarget(
      name: "CronppEngineTests",
      dependencies: [
        "CronppEngine", "CronppLua", "CronppStore", "CronppSchedule",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
      ]
    ),
    .testTarget(
      name: "CronppStoreTests",
      dependencies: ["CronppStore", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .testTarget(
      name: "cronppTests",
      dependencies: ["cronpp", "CronppSchedule", "CronppStore", .product(name: "GRDB", package: "GRDB.swift")],
      exclude: ["Golden"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
