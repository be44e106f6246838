import HTTPServerKit
public enum TestSupport {}
