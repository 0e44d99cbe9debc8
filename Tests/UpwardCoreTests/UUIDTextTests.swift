import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("A UUID as text")
struct UUIDTextTests {
    @Test("is Foundation's uuidString for every byte value in every position, and reads back as the same UUID")
    func sameAsFoundation() throws {
        var generator = SeededGenerator(seed: 20261205)
        for round in 0..<4_096 {
            // Each byte position takes every value 0...255 across the first 256 rounds; random after.
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round < 256 { bytes = (0..<16).map { UInt8((round + $0 * 17) % 256) } }
            let id = bytes.withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
            #expect(id.text == id.uuidString)
            #expect(UUID(uuidString: id.text) == id)
        }
        let ordered = UUID(uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10))
        #expect(ordered.text == "01234567-89AB-CDEF-FEDC-BA9876543210")
        #expect(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).text == "00000000-0000-0000-0000-000000000000")
        let all = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        #expect(all.text == "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }
}
