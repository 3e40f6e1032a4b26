/// The words of programmes and their sessions: what Relais stores and every layer speaks.
/// How a programme's group sessions are held.
public enum Modality: String, Codable, Sendable, CaseIterable {
    case inPerson = "in_person", visio, mixed
}

/// Whether a programme still runs.
public enum ProgrammeStatus: String, Codable, Sendable, CaseIterable {
    case planned, cancelled
}

/// Whether a group session still takes place.
public enum SessionStatus: String, Codable, Sendable, CaseIterable {
    case planned, cancelled
}

/// Where a participant stands in a programme.
public enum EnrolmentStatus: String, Codable, Sendable, CaseIterable {
    case enrolled, waiting, withdrawn
}

/// A participant at one group session.
public enum AttendanceStatus: String, Codable, Sendable, CaseIterable {
    case present, excused, absent
}
