/// How a worker finds the supervisor's status segment: `OAUTH1_STATUS_FD` names the inherited descriptor and
/// `OAUTH1_WORKER` the worker's slot in it (absent when the supervisor had none free); both are set by `serve` alone.
public enum WorkerStatus {
    /// The segment and this worker's slot, or nil when no supervisor started this process (or its segment is unusable).
    public static func fromSupervisor(_ environment: [String: String]) -> (segment: StatusSegment, slot: Int?)? {
        guard let descriptor = environment["OAUTH1_STATUS_FD"].flatMap({ Int32($0) }) else { return nil }
        guard let segment = StatusSegment.attach(descriptor: descriptor) else {
            Log.error("status: the supervisor's counters on descriptor \(descriptor) cannot be used; this worker counts nothing")
            return nil
        }
        let slot = environment["OAUTH1_WORKER"].flatMap { Int($0) }.flatMap { (0..<segment.slotCount).contains($0) ? $0 : nil }
        return (segment, slot)
    }
}
