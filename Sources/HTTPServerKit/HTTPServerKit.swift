public enum HTTPServerKit {}
