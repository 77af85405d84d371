import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The counters behind `/status` and `/metrics`: a few KiB of shared memory that the `serve` supervisor creates before it
/// starts any worker and hands to each one as a descriptor, so every worker adds to the same numbers with atomic
/// increments, without a lock or a system call, and the numbers outlive any one worker (docs/operations.md, "Status and
/// metrics").
public final class StatusSegment: @unchecked Sendable {
    /// The segment's 64-bit words, each updated atomically by any process that maps it.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    /// How many worker slots the segment holds.
    public let slotCount: Int
    /// The descriptor of the shared memory, which a worker inherits.
    public let descriptor: Int32

    /// Words of the header: an identifying mark, the layout, the slot count, the supervisor's start, its event counters.
    private enum Header: Int {
        case mark, layout, slots, startTime, restarts, recycles, reloads, reloadFailures
    }
    private static let headerWords = 16
    private static let mark: UInt64 = 0x6f61_7574_6831_7374
    /// Changes whenever the layout below changes, so a worker never reads another build's segment wrongly.
    private static let layout = UInt64(StatusRoute.names.count << 16 | StatusRefusal.names.count << 8 | 1)
    static let statusClasses = 5
    private static let slotWords = 2

    private static var requestsBase: Int { headerWords }
    private static var refusalsBase: Int { requestsBase + StatusRoute.names.count * statusClasses }
    private static var slotsBase: Int { refusalsBase + StatusRefusal.names.count }
    private static func byteCount(slots: Int) -> Int { (slotsBase + slots * slotWords) * MemoryLayout<UInt64>.stride }

    private init(words: UnsafeMutablePointer<Atomic<UInt64>>, slotCount: Int, descriptor: Int32) {
        self.words = words
        self.slotCount = slotCount
        self.descriptor = descriptor
    }

    /// A new segment with room for `slots` workers, zeroed and stamped with the current time; nil (and a log line) if the
    /// system refuses shared memory.
    public static func create(slots: Int, startTime: Int64 = Int64(time(nil))) -> StatusSegment? {
        let descriptor = anonymousSharedFile()
        guard descriptor >= 0 else {
            Log.error("status: no shared memory for the counters: \(String(cString: strerror(errno)))")
            return nil
        }
        guard ftruncate(descriptor, off_t(byteCount(slots: slots))) == 0, let segment = map(descriptor, slots: slots) else {
            Log.error("status: cannot size or map the counters' shared memory: \(String(cString: strerror(errno)))")
            close(descriptor)
            return nil
        }
        segment.store(.slots, UInt64(slots))
        segment.store(.layout, layout)
        segment.store(.startTime, UInt64(startTime))
        segment.store(.mark, mark)
        return segment
    }

    /// Maps the segment a supervisor handed down on `descriptor`; nil when it is not one of this build's segments.
    public static func attach(descriptor: Int32) -> StatusSegment? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) >= byteCount(slots: 0) else { return nil }
        guard let probe = map(descriptor, slots: 0) else { return nil }
        let slots = Int(probe.load(.slots))
        let valid = probe.load(.mark) == mark && probe.load(.layout) == layout && Int(info.st_size) >= byteCount(slots: slots)
        munmap(UnsafeMutableRawPointer(probe.words), byteCount(slots: 0))
        guard valid else { return nil }
        return map(descriptor, slots: slots)
    }

    /// A shared memory file that no other process can open by name: POSIX shared memory unlinked at once, or, where
    /// /dev/shm is missing, an unlinked file in the temporary directory.
    private static func anonymousSharedFile() -> Int32 {
        let name = "/oauth1-fcgi-status-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var descriptor = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            shm_unlink(name)
            return descriptor
        }
        var template = Array(((getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/oauth1-fcgi-status-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
        return descriptor
    }

    private static func map(_ descriptor: Int32, slots: Int) -> StatusSegment? {
        let length = byteCount(slots: slots)
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { return nil }
        let words = address.bindMemory(to: Atomic<UInt64>.self, capacity: length / MemoryLayout<UInt64>.stride)
        return StatusSegment(words: words, slotCount: slots, descriptor: descriptor)
    }

    private func load(_ header: Header) -> UInt64 { word(header.rawValue).pointee.load(ordering: .relaxed) }
    private func store(_ header: Header, _ value: UInt64) { word(header.rawValue).pointee.store(value, ordering: .releasing) }
    @inline(__always) private func word(_ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> { words + index }

    // MARK: What workers count

    /// Counts one answered request: its route (a `StatusRoute` index) and status, and its `oauth_problem` (a
    /// `StatusRefusal` index) when it was refused.
    @inline(__always)
    func countRequest(route: Int, status: Int, refusal: Int?) {
        let statusClass = min(max(status / 100, 1), Self.statusClasses) - 1
        word(Self.requestsBase + route * Self.statusClasses + statusClass).pointee.wrappingAdd(1, ordering: .relaxed)
        if let refusal { word(Self.refusalsBase + refusal).pointee.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Requests answered on a route (a `StatusRoute` index), by status class (1xx at index 0 to 5xx at 4).
    func requests(route: Int) -> [UInt64] {
        (0..<Self.statusClasses).map { word(Self.requestsBase + route * Self.statusClasses + $0).pointee.load(ordering: .relaxed) }
    }

    /// Refusals with one `oauth_problem` (a `StatusRefusal` index).
    func refusals(_ refusal: Int) -> UInt64 { word(Self.refusalsBase + refusal).pointee.load(ordering: .relaxed) }

    // MARK: What the supervisor counts

    /// When the supervisor started, in seconds since the epoch.
    public var startTime: Int64 { Int64(load(.startTime)) }
    /// Workers replaced after they died.
    public var restarts: UInt64 { load(.restarts) }
    /// Workers replaced after their request quota.
    public var recycles: UInt64 { load(.recycles) }
    /// Configuration reloads carried out.
    public var reloads: UInt64 { load(.reloads) }
    /// Configuration reloads refused (an invalid configuration).
    public var reloadFailures: UInt64 { load(.reloadFailures) }

    /// Counts a worker replaced after it died.
    public func countRestart() { word(Header.restarts.rawValue).pointee.wrappingAdd(1, ordering: .relaxed) }
    /// Counts a worker replaced after its request quota.
    public func countRecycle() { word(Header.recycles.rawValue).pointee.wrappingAdd(1, ordering: .relaxed) }
    /// Counts a reload carried out.
    public func countReload() { word(Header.reloads.rawValue).pointee.wrappingAdd(1, ordering: .relaxed) }
    /// Counts a reload refused.
    public func countReloadFailure() { word(Header.reloadFailures.rawValue).pointee.wrappingAdd(1, ordering: .relaxed) }

    // MARK: Worker slots

    /// What a worker slot says about its worker.
    public enum SlotState: UInt64, Sendable {
        /// No worker.
        case free = 0
        /// Started by the supervisor, not yet waiting for requests.
        case starting = 1
        /// Waiting for a request.
        case idle = 2
        /// Serving a request.
        case busy = 3
    }

    private func slotWord(_ slot: Int, _ field: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        precondition(slot >= 0 && slot < slotCount)
        return word(Self.slotsBase + slot * Self.slotWords + field)
    }

    /// The state of a slot.
    public func state(ofSlot slot: Int) -> SlotState { SlotState(rawValue: slotWord(slot, 1).pointee.load(ordering: .acquiring)) ?? .free }

    /// The process in a slot, 0 when it is free.
    public func pid(ofSlot slot: Int) -> pid_t { pid_t(truncatingIfNeeded: slotWord(slot, 0).pointee.load(ordering: .relaxed)) }

    /// Reserves a slot for a worker about to start (the supervisor, before the worker can mark it idle).
    public func reserve(slot: Int) {
        slotWord(slot, 0).pointee.store(0, ordering: .relaxed)
        slotWord(slot, 1).pointee.store(SlotState.starting.rawValue, ordering: .releasing)
    }

    /// Records the process that holds a reserved slot.
    public func setPID(_ pid: pid_t, slot: Int) { slotWord(slot, 0).pointee.store(UInt64(UInt32(bitPattern: pid)), ordering: .relaxed) }

    /// Frees a slot whose worker has exited.
    public func release(slot: Int) {
        slotWord(slot, 1).pointee.store(SlotState.free.rawValue, ordering: .releasing)
        slotWord(slot, 0).pointee.store(0, ordering: .relaxed)
    }

    /// Sets a slot's state.
    @inline(__always)
    public func set(slot: Int, _ state: SlotState) { slotWord(slot, 1).pointee.store(state.rawValue, ordering: .releasing) }

    /// A worker's handle on its own slot's state, found once, so marking it around each request is one store.
    public func marker(slot: Int) -> SlotMarker { SlotMarker(segment: self, word: slotWord(slot, 1)) }

    /// Sets one slot's state; holds its segment, so the memory stays mapped.
    public struct SlotMarker: @unchecked Sendable {
        let segment: StatusSegment
        let word: UnsafeMutablePointer<Atomic<UInt64>>

        /// Sets the slot's state.
        @inline(__always)
        public func mark(_ state: SlotState) { word.pointee.store(state.rawValue, ordering: .releasing) }
    }
}
