#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only memory map of a whole file, so a large matrix is used in place, never copied.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    init(path: String) throws(CommandFailure) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CommandFailure("Cannot open \(path): \(String(cString: strerror(errno))).") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CommandFailure("Cannot read \(path): \(String(cString: strerror(errno))).") }
        length = Int(info.st_size)
        guard length > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { throw CommandFailure("Cannot map \(path) into memory: \(String(cString: strerror(errno))).") }
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: length)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}
