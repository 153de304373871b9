// Bench is the Lucene side of countynews' benchmark suite: it indexes a
// paragraphs TSV and replays a query log TSV against Lucene 8 (Debian's
// liblucene8-java), printing one JSON line of figures per run.
//
// It is driven by the Go package in this directory (countynews/bench/lucene),
// which writes the TSV inputs, compiles this file with plain javac and parses
// the JSON. It uses no JSON library on purpose: the only dependencies are the
// Lucene jars.
//
// Usage:
//
//	java Bench index <paragraphs.tsv> <indexDir> [threads] [--force-merge] [--ram-mb=N]
//	java Bench query <indexDir> <queries.tsv> <clients> <warmup_rounds> <rounds> [hitsOut]
//	                 [--facet-top=N] [--detail=<file>] [--no-facets] [--no-highlight]
//
// Formats (written by lucene.WriteParagraphs / lucene.WriteQueries):
//
//	paragraphs: id \t county \t year \t programs \t text
//	queries:    qid \t clauses \t counties \t years \t programs
//
// Every field but the paragraph text is escaped: a backslash escapes the next
// character, and \t \n \r stand for tab, newline and carriage return. Lists
// (programs, filter values, phrase alternatives) are separated by an
// unescaped '|', clauses by an unescaped ';'. The text has no tabs or
// newlines and is taken verbatim.
//
// Chinese-specific choices:
//   - Field "text" uses CJKAnalyzer (StandardTokenizer, CJKWidthFilter,
//     LowerCaseFilter, CJKBigramFilter) with an empty stop set, so a run of
//     Han characters becomes overlapping bigrams and a one-character run
//     becomes a unigram. A phrase of two or more Han characters is a
//     PhraseQuery over its bigrams, which matches exactly the texts holding
//     that string inside one run of Han characters.
//   - Inside a longer run there are no unigrams, so a one-character phrase
//     (or any phrase whose analysis holds a one-character Han run, such as
//     "年6月") would find nothing. Field "text1" indexes the same text as
//     unigrams (no bigram filter); such phrases become a TermQuery or
//     PhraseQuery on text1.
//   - Facets use SortedSetDocValuesFacetField (county, year, multi-valued
//     program); filters are FILTER clauses on StringFields of the same names.
//     Facet counts are disjunctive ("multi-select"): DrillSideways counts
//     facet F with every filter but F's own, in the same pass as the top 10.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.facet.DrillDownQuery;
import org.apache.lucene.facet.DrillSideways;
import org.apache.lucene.facet.FacetResult;
import org.apache.lucene.facet.Facets;
import org.apache.lucene.facet.FacetsConfig;
import org.apache.lucene.facet.LabelAndValue;
import org.apache.lucene.facet.sortedset.DefaultSortedSetDocValuesReaderState;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetField;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

public final class Bench {
  /** Field names. */
  static final String ID = "id", TEXT = "text", TEXT1 = "text1";

  /** Facet dimensions; each is also a StringField of the same name for filters. */
  static final String COUNTY = "county", YEAR = "year", PROGRAM = "program";

  static final String[] DIMS = {COUNTY, YEAR, PROGRAM};

  /** Top hits per request. */
  static final int TOP_N = 10;

  /** Paragraph lines handed to an indexing thread at a time. */
  static final int BATCH = 256;

  public static void main(String[] args) {
    try {
      run(args);
    } catch (UsageException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("bench: no such file: " + e.getMessage());
      System.exit(2);
    } catch (org.apache.lucene.index.IndexNotFoundException e) {
      System.err.println("bench: no index: " + e.getMessage());
      System.exit(2);
    } catch (Throwable e) {
      System.err.println("bench: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  static void run(String[] argv) throws Exception {
    List<String> args = new ArrayList<>();
    Map<String, String> flags = new HashMap<>();
    for (String a : argv) {
      if (a.startsWith("--")) {
        int eq = a.indexOf('=');
        flags.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
      } else {
        args.add(a);
      }
    }
    if (args.isEmpty()) {
      throw new UsageException("usage: Bench index|query ...");
    }
    for (String f : flags.keySet()) {
      if (!Set.of("force-merge", "ram-mb", "facet-top", "detail", "no-facets", "no-highlight", "classic", "top")
          .contains(f)) {
        throw new UsageException("unknown flag --" + f);
      }
    }
    String cmd = args.remove(0);
    switch (cmd) {
      case "index":
        if (args.size() < 2 || args.size() > 3) {
          throw new UsageException(
              "usage: Bench index <paragraphs.tsv> <indexDir> [threads] [--force-merge] [--ram-mb=N]");
        }
        index(
            Paths.get(args.get(0)),
            Paths.get(args.get(1)),
            args.size() > 2 ? positive("threads", args.get(2)) : 2,
            flags.containsKey("force-merge"),
            flags.containsKey("ram-mb") ? positive("ram-mb", flags.get("ram-mb")) : 256);
        break;
      case "query":
        if (args.size() < 5 || args.size() > 6) {
          throw new UsageException(
              "usage: Bench query <indexDir> <queries.tsv> <clients> <warmup_rounds> <rounds> [hitsOut]"
                  + " [--facet-top=N] [--detail=<file>] [--no-facets] [--no-highlight]");
        }
        query(
            Paths.get(args.get(0)),
            Paths.get(args.get(1)),
            positive("clients", args.get(2)),
            nonNegative("warmup_rounds", args.get(3)),
            nonNegative("rounds", args.get(4)),
            args.size() > 5 ? Paths.get(args.get(5)) : null,
            flags.containsKey("facet-top") ? positive("facet-top", flags.get("facet-top")) : 20,
            flags.containsKey("detail") ? Paths.get(flags.get("detail")) : null,
            !flags.containsKey("no-facets"),
            !flags.containsKey("no-highlight"),
            flags.containsKey("classic"),
            flags.containsKey("top") ? positive("top", flags.get("top")) : TOP_N);
        break;
      default:
        throw new UsageException("unknown subcommand " + cmd + " (want index or query)");
    }
  }

  // ---------------------------------------------------------------- analysis

  /** The analyzers, per field. */
  static final class Analyzers {
    /** Bigrams for "text"; no stop words (CJKAnalyzer's default set is English). */
    final Analyzer bigram = new CJKAnalyzer(CharArraySet.EMPTY_SET);

    /** Unigrams for "text1": CJKAnalyzer without the bigram filter. */
    final Analyzer unigram =
        new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            Tokenizer src = new StandardTokenizer();
            TokenStream ts = new CJKWidthFilter(src);
            ts = new LowerCaseFilter(ts);
            return new TokenStreamComponents(src, ts);
          }

          @Override
          protected TokenStream normalize(String field, TokenStream in) {
            return new LowerCaseFilter(new CJKWidthFilter(in));
          }
        };

    final Analyzer perField = new PerFieldAnalyzerWrapper(bigram, Map.of(TEXT1, unigram));
  }

  static final class Token {
    final String term, type;
    final int pos;

    Token(String term, int pos, String type) {
      this.term = term;
      this.pos = pos;
      this.type = type;
    }
  }

  static List<Token> analyze(Analyzer a, String field, String text) throws IOException {
    List<Token> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream(field, new StringReader(text))) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
      TypeAttribute type = ts.addAttribute(TypeAttribute.class);
      ts.reset();
      int pos = -1;
      while (ts.incrementToken()) {
        pos += inc.getPositionIncrement();
        out.add(new Token(term.toString(), pos, type.type()));
      }
      ts.end();
    }
    return out;
  }

  // ---------------------------------------------------------------- indexing

  static final class FieldsTypes {
    /** Stored, bigram-analyzed, with offsets in the postings for the UnifiedHighlighter. */
    final FieldType text = new FieldType(TextField.TYPE_STORED);

    FieldsTypes() {
      text.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
      text.freeze();
    }
  }

  static FacetsConfig facetsConfig() {
    FacetsConfig c = new FacetsConfig();
    c.setMultiValued(PROGRAM, true);
    return c;
  }

  /** One paragraph line, parsed. */
  static Document paragraph(String line, FacetsConfig config, FieldsTypes types, AtomicLong textBytes)
      throws IOException {
    String[] f = line.split("\t", -1);
    if (f.length != 5) {
      throw new IllegalArgumentException("want 5 tab-separated fields, got " + f.length);
    }
    String id = unescape(f[0]);
    if (id.isEmpty()) {
      throw new IllegalArgumentException("empty id");
    }
    Document doc = new Document();
    doc.add(new StringField(ID, id, Field.Store.YES));
    String county = unescape(f[1]);
    if (!county.isEmpty()) {
      doc.add(new StringField(COUNTY, county, Field.Store.NO));
      doc.add(new SortedSetDocValuesFacetField(COUNTY, county));
    }
    String year = unescape(f[2]);
    if (!year.isEmpty()) {
      try {
        Integer.parseInt(year);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("year " + year + " is not an integer");
      }
      doc.add(new StringField(YEAR, year, Field.Store.NO));
      doc.add(new SortedSetDocValuesFacetField(YEAR, year));
    }
    if (!f[3].isEmpty()) {
      for (String p : splitEscaped(f[3], '|')) {
        if (p.isEmpty()) {
          throw new IllegalArgumentException("empty program name");
        }
        doc.add(new StringField(PROGRAM, p, Field.Store.NO));
        doc.add(new SortedSetDocValuesFacetField(PROGRAM, p));
      }
    }
    doc.add(new Field(TEXT, f[4], types.text));
    doc.add(new TextField(TEXT1, f[4], Field.Store.NO));
    textBytes.addAndGet(utf8Length(f[4]));
    return config.build(doc);
  }

  static final class Batch {
    final long firstLine;
    final List<String> lines;

    Batch(long firstLine, List<String> lines) {
      this.firstLine = firstLine;
      this.lines = lines;
    }
  }

  static void index(Path tsv, Path dir, int threads, boolean forceMerge, int ramMB) throws Exception {
    Analyzers an = new Analyzers();
    FacetsConfig config = facetsConfig();
    FieldsTypes types = new FieldsTypes();
    IndexWriterConfig iwc = new IndexWriterConfig(an.perField);
    iwc.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    iwc.setRAMBufferSizeMB(ramMB);
    // Closing the writer on an error must not commit half the paragraphs.
    iwc.setCommitOnClose(false);
    long start = System.nanoTime(), cpuStart = cpuNanos();
    AtomicLong docs = new AtomicLong(), textBytes = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    double mergeSeconds = 0;
    try (Directory d = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(d, iwc)) {
      BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(threads * 4);
      Batch done = new Batch(-1, List.of());
      Thread[] workers = new Thread[threads];
      for (int i = 0; i < threads; i++) {
        workers[i] =
            new Thread(
                () -> {
                  try {
                    for (Batch b = queue.take(); b != done; b = queue.take()) {
                      if (failure.get() != null) {
                        continue; // drain so the reader never blocks
                      }
                      long n = b.firstLine;
                      for (String line : b.lines) {
                        if (!line.isEmpty()) {
                          Document doc;
                          try {
                            doc = paragraph(line, config, types, textBytes);
                          } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(
                                tsv + ":" + n + ": " + e.getMessage(), e);
                          }
                          w.addDocument(doc);
                          docs.incrementAndGet();
                        }
                        n++;
                      }
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    // Keep draining: the reader is blocked on put otherwise.
                    try {
                      for (Batch b = queue.take(); b != done; b = queue.take()) {}
                    } catch (InterruptedException ie) {
                      Thread.currentThread().interrupt();
                    }
                  }
                },
                "indexer-" + i);
        workers[i].start();
      }
      long lineNo = 1;
      List<String> lines = new ArrayList<>(BATCH);
      try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null && failure.get() == null; line = r.readLine()) {
          lines.add(line);
          if (lines.size() == BATCH) {
            queue.put(new Batch(lineNo, lines));
            lineNo += lines.size();
            lines = new ArrayList<>(BATCH);
          }
        }
        if (!lines.isEmpty()) {
          queue.put(new Batch(lineNo, lines));
        }
      } catch (CharacterCodingException e) {
        // BufferedReader reads ahead: the bad bytes are on this line or a later one.
        throw new UsageException(tsv + ": invalid UTF-8 at or after line " + (lineNo + lines.size()));
      } finally {
        for (int i = 0; i < threads; i++) {
          queue.put(done);
        }
        for (Thread t : workers) {
          t.join();
        }
      }
      if (failure.get() != null) {
        w.rollback(); // leaves whatever commit was in indexDir untouched
        Throwable e = failure.get();
        if (e instanceof IllegalArgumentException) {
          throw new UsageException(e.getMessage());
        }
        throw new IOException("index: " + e, e);
      }
      w.commit();
      if (forceMerge) {
        long m = System.nanoTime();
        w.forceMerge(1);
        w.commit();
        mergeSeconds = (System.nanoTime() - m) / 1e9;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
    long indexBytes = 0;
    int segments;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals("write.lock")) {
          indexBytes += Files.size(p);
        }
      }
    }
    try (Directory d = FSDirectory.open(dir);
        DirectoryReader r = DirectoryReader.open(d)) {
      segments = r.leaves().size();
    }
    double mb = textBytes.get() / 1e6;
    emit(
        String.format(
            Locale.ROOT,
            "{\"docs\":%d,\"seconds\":%.3f,\"text_mb\":%.3f,\"mb_per_s\":%.3f,\"index_bytes\":%d,"
                + "\"threads\":%d,\"segments\":%d,\"merge_seconds\":%.3f,\"cpu_seconds\":%.3f}",
            docs.get(),
            seconds,
            mb,
            mb / seconds,
            indexBytes,
            threads,
            segments,
            mergeSeconds,
            cpuSeconds));
  }

  // ---------------------------------------------------------------- queries

  /** One line of the query log, parsed. */
  static final class LogQuery {
    final String qid;
    /** Each clause: alternatives (ORed phrases). */
    final List<List<String>> must = new ArrayList<>(), mustNot = new ArrayList<>();
    /** dim → values (ORed); dims are ANDed. Insertion order = DIMS order. */
    final Map<String, List<String>> filters = new LinkedHashMap<>();

    LogQuery(String qid) {
      this.qid = qid;
    }
  }

  static List<LogQuery> readQueries(Path tsv) throws IOException {
    List<LogQuery> out = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        n++;
        if (line.isEmpty()) {
          continue;
        }
        try {
          LogQuery q = parseQuery(line);
          if (!seen.add(q.qid)) {
            throw new IllegalArgumentException("duplicate qid " + q.qid);
          }
          out.add(q);
        } catch (IllegalArgumentException e) {
          throw new UsageException(tsv + ":" + n + ": " + e.getMessage());
        }
      }
    } catch (CharacterCodingException e) {
      throw new UsageException(tsv + ": invalid UTF-8 at or after line " + (n + 1));
    }
    return out;
  }

  static LogQuery parseQuery(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 5) {
      throw new IllegalArgumentException("want 5 tab-separated fields, got " + f.length);
    }
    LogQuery q = new LogQuery(unescape(f[0]));
    if (q.qid.isEmpty()) {
      throw new IllegalArgumentException("empty qid");
    }
    if (!f[1].isEmpty()) {
      for (String clause : splitRaw(f[1], ';')) {
        if (clause.isEmpty() || (clause.charAt(0) != '+' && clause.charAt(0) != '-')) {
          throw new IllegalArgumentException("clause " + clause + " must start with + or -");
        }
        List<String> any = new ArrayList<>();
        for (String phrase : splitEscaped(clause.substring(1), '|')) {
          if (phrase.isEmpty()) {
            throw new IllegalArgumentException("empty phrase in clause " + clause);
          }
          any.add(phrase);
        }
        (clause.charAt(0) == '+' ? q.must : q.mustNot).add(any);
      }
    }
    for (int i = 0; i < DIMS.length; i++) {
      if (!f[2 + i].isEmpty()) {
        List<String> vals = splitEscaped(f[2 + i], '|');
        if (vals.contains("")) {
          throw new IllegalArgumentException("empty " + DIMS[i] + " filter value");
        }
        q.filters.put(DIMS[i], vals);
      }
    }
    return q;
  }

  /** What a request needs, shared by all client threads. */
  static final class Engine {
    final Analyzers an = new Analyzers();
    final FacetsConfig config = facetsConfig();
    final IndexSearcher searcher;
    final SortedSetDocValuesReaderState state;
    final UnifiedHighlighter textHighlighter, strictTextHighlighter, unigramHighlighter;
    final int facetTop;
    /** Parts of a request; both true for the benchmark, off to measure what they cost. */
    final boolean withFacets, withHighlight;
    /**
     * classic: a query's one must phrase is text as a person typed it, parsed by the classic
     * QueryParser on text with the bigram analyzer (its special characters escaped), default
     * operator OR: Lucene's out-of-the-box answer to a typed question. topN: hits kept.
     */
    final boolean classic;
    final int topN;
    final Set<String> indexedDims = new java.util.HashSet<>();

    Engine(DirectoryReader reader, int facetTop, boolean withFacets, boolean withHighlight)
        throws IOException {
      this(reader, facetTop, withFacets, withHighlight, false, TOP_N);
    }

    Engine(
        DirectoryReader reader,
        int facetTop,
        boolean withFacets,
        boolean withHighlight,
        boolean classic,
        int topN)
        throws IOException {
      this.classic = classic;
      this.topN = topN;
      this.searcher = new IndexSearcher(reader);
      this.state = new DefaultSortedSetDocValuesReaderState(reader);
      this.facetTop = facetTop;
      this.withFacets = withFacets;
      this.withHighlight = withHighlight;
      for (String dim : DIMS) {
        if (state.getOrdRange(dim) != null) {
          indexedDims.add(dim);
        }
      }
      DefaultPassageFormatter fmt = new DefaultPassageFormatter("<b>", "</b>", "… ", true);
      // Without a match (filters only, exclusions only) the snippet is the
      // text's first passage.
      textHighlighter = new UnifiedHighlighter(searcher, an.bigram);
      textHighlighter.setFormatter(fmt);
      // When some phrases are on text1: null without a match on text, then try text1.
      strictTextHighlighter = new UnifiedHighlighter(searcher, an.bigram);
      strictTextHighlighter.setFormatter(fmt);
      strictTextHighlighter.setMaxNoHighlightPassages(0);
      // text1 is not stored: its matches are highlighted by re-analysing the
      // stored "text" value with the unigram analyzer (OffsetSource.ANALYSIS).
      unigramHighlighter = new UnifiedHighlighter(null, an.unigram);
      unigramHighlighter.setFormatter(fmt);
    }

    /** A phrase: bigram PhraseQuery on text, or unigram query on text1 (see file comment). */
    Query phrase(String s) throws IOException {
      List<Token> toks = analyze(an.bigram, TEXT, s);
      if (toks.isEmpty()) {
        return new MatchNoDocsQuery("phrase " + s + " has no tokens");
      }
      String field = TEXT;
      for (Token t : toks) {
        if (CJKBigramFilter.SINGLE_TYPE.equals(t.type)) {
          field = TEXT1;
          toks = analyze(an.unigram, TEXT1, s);
          break;
        }
      }
      if (toks.size() == 1) {
        return new TermQuery(new Term(field, toks.get(0).term));
      }
      PhraseQuery.Builder b = new PhraseQuery.Builder();
      int first = toks.get(0).pos;
      for (Token t : toks) {
        b.add(new Term(field, t.term), t.pos - first);
      }
      return b.build();
    }

    Query anyOf(List<String> phrases) throws IOException {
      if (phrases.size() == 1) {
        return phrase(phrases.get(0));
      }
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      for (String p : phrases) {
        b.add(phrase(p), BooleanClause.Occur.SHOULD);
      }
      return b.build();
    }

    /** The scored part of a request: clauses only, no filters. */
    Query base(LogQuery q) throws IOException {
      if (classic && q.must.size() == 1 && q.must.get(0).size() == 1) {
        // A QueryParser is not thread-safe: one per request.
        QueryParser qp = new QueryParser(TEXT, an.bigram);
        try {
          return qp.parse(QueryParser.escape(q.must.get(0).get(0)));
        } catch (ParseException e) {
          return new MatchNoDocsQuery("unparsable: " + e.getMessage());
        }
      }
      if (q.must.isEmpty() && q.mustNot.isEmpty()) {
        return new MatchAllDocsQuery();
      }
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      for (List<String> c : q.must) {
        b.add(anyOf(c), BooleanClause.Occur.MUST);
      }
      if (q.must.isEmpty()) {
        b.add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST); // only exclusions
      }
      for (List<String> c : q.mustNot) {
        b.add(anyOf(c), BooleanClause.Occur.MUST_NOT);
      }
      return b.build();
    }

    /** Per-request results, for the detail file and the hits file. */
    static final class Result {
      long total;
      TopDocs top;
      String[] snippets;
      Map<String, FacetResult> facets = new LinkedHashMap<>();
    }

    /** One full request: top 10, three facet counts, highlights of the top 10. */
    Result run(LogQuery q) throws IOException {
      Query base = base(q);
      DrillDownQuery ddq = new DrillDownQuery(config, base);
      for (Map.Entry<String, List<String>> e : q.filters.entrySet()) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String v : e.getValue()) {
          b.add(new TermQuery(new Term(e.getKey(), v)), BooleanClause.Occur.SHOULD);
        }
        ddq.add(e.getKey(), b.build());
      }
      TopScoreDocCollector collector = TopScoreDocCollector.create(topN, Integer.MAX_VALUE);
      Facets facets = null;
      if (withFacets) {
        facets = new DrillSideways(searcher, config, state).search(ddq, collector).facets;
      } else {
        searcher.search(ddq, collector); // filters become FILTER clauses
      }
      Result res = new Result();
      res.top = collector.topDocs();
      if (res.top.totalHits.relation != TotalHits.Relation.EQUAL_TO) {
        throw new IllegalStateException("inexact hit count for " + q.qid);
      }
      res.total = res.top.totalHits.value;
      for (String dim : DIMS) {
        if (facets != null && indexedDims.contains(dim)) {
          FacetResult fr = facets.getTopChildren(facetTop, dim);
          if (fr != null) {
            res.facets.put(dim, fr);
          }
        }
      }
      res.snippets = withHighlight ? highlight(base, res.top) : new String[res.top.scoreDocs.length];
      return res;
    }

    String[] highlight(Query base, TopDocs top) throws IOException {
      if (!onText1(base)) {
        return textHighlighter.highlight(TEXT, base, top, 1);
      }
      String[] out = strictTextHighlighter.highlight(TEXT, base, top, 1);
      for (int i = 0; i < out.length; i++) {
        if (out[i] == null) {
          String text = searcher.doc(top.scoreDocs[i].doc, Set.of(TEXT)).get(TEXT);
          Object s = unigramHighlighter.highlightWithoutSearcher(TEXT1, base, text, 1);
          out[i] = s != null ? s.toString() : text.substring(0, Math.min(text.length(), 100));
        }
      }
      return out;
    }

    /** Whether a positive (not excluded) clause of q searches the unigram field. */
    static boolean onText1(Query q) {
      boolean[] found = {false};
      q.visit(
          new QueryVisitor() {
            @Override
            public boolean acceptField(String field) {
              found[0] |= TEXT1.equals(field);
              return false;
            }
          });
      return found[0];
    }

    String id(int doc) throws IOException {
      return searcher.doc(doc, Set.of(ID)).get(ID);
    }
  }

  static void query(
      Path dir,
      Path tsv,
      int clients,
      int warmupRounds,
      int rounds,
      Path hitsOut,
      int facetTop,
      Path detailOut,
      boolean withFacets,
      boolean withHighlight,
      boolean classic,
      int topN)
      throws Exception {
    List<LogQuery> log = readQueries(tsv);
    try (Directory d = FSDirectory.open(dir);
        DirectoryReader reader = DirectoryReader.open(d)) {
      Engine engine = new Engine(reader, facetTop, withFacets, withHighlight, classic, topN);
      Map<String, Long> hits = new ConcurrentHashMap<>();
      AtomicLong sink = new AtomicLong(); // keeps the JIT from dropping work

      replay(engine, log, clients, warmupRounds, null, hits, sink);
      long[] lat = new long[log.size() * rounds];
      long t0 = System.nanoTime(), cpu0 = cpuNanos();
      replay(engine, log, clients, rounds, lat, hits, sink);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;

      if (hitsOut != null && hits.size() < log.size()) {
        replay(engine, log, 1, 1, null, hits, sink);
      }
      if (hitsOut != null) {
        try (BufferedWriter w = Files.newBufferedWriter(hitsOut, StandardCharsets.UTF_8)) {
          for (LogQuery q : log) {
            w.write(escape(q.qid) + "\t" + hits.get(q.qid) + "\n");
          }
        }
      }
      if (detailOut != null) {
        writeDetail(engine, log, detailOut);
      }
      Arrays.sort(lat);
      double heapMB = liveHeapMB(), peakMB = peakHeapMB();
      emit(
          String.format(
              Locale.ROOT,
              "{\"queries\":%d,\"clients\":%d,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,"
                  + "\"max_ms\":%.3f,\"mean_ms\":%.3f,\"qps\":%.1f,\"heap_mb\":%.1f,\"heap_peak_mb\":%.1f,"
                  + "\"seconds\":%.3f,\"cpu_seconds\":%.3f}",
              lat.length,
              clients,
              pct(lat, 0.50),
              pct(lat, 0.95),
              pct(lat, 0.99),
              lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
              mean(lat),
              wall > 0 ? lat.length / wall : 0,
              heapMB,
              peakMB,
              wall,
              cpu));
    }
  }

  /**
   * Runs the log rounds times; client threads take the next request from a shared counter, so the
   * log is split over the clients. lat, if not null, gets every request's latency in nanoseconds.
   */
  static void replay(
      Engine engine,
      List<LogQuery> log,
      int clients,
      int rounds,
      long[] lat,
      Map<String, Long> hits,
      AtomicLong sink)
      throws Exception {
    int total = log.size() * rounds;
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] ts = new Thread[clients];
    for (int c = 0; c < clients; c++) {
      ts[c] =
          new Thread(
              () -> {
                long local = 0;
                try {
                  for (int i = next.getAndIncrement();
                      i < total && failure.get() == null;
                      i = next.getAndIncrement()) {
                    LogQuery q = log.get(i % log.size());
                    long s = System.nanoTime();
                    Engine.Result r = engine.run(q);
                    long e = System.nanoTime();
                    if (lat != null) {
                      lat[i] = e - s;
                    }
                    hits.put(q.qid, r.total);
                    for (String snip : r.snippets) {
                      local += snip == null ? 0 : snip.length();
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
                sink.addAndGet(local);
              },
              "client-" + c);
      ts[c].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IOException("query: " + failure.get(), failure.get());
    }
  }

  /**
   * Writes, per query: "qid \t hits \t N", then "qid \t top \t rank \t id \t score \t snippet" for
   * each of the top 10, then "qid \t facet \t dim \t value \t count" for the facet counts. Every
   * field is escaped.
   */
  static void writeDetail(Engine engine, List<LogQuery> log, Path out) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (LogQuery q : log) {
        Engine.Result r = engine.run(q);
        String qid = escape(q.qid);
        w.write(qid + "\thits\t" + r.total + "\n");
        ScoreDoc[] sd = r.top.scoreDocs;
        for (int i = 0; i < sd.length; i++) {
          w.write(
              String.format(
                  Locale.ROOT,
                  "%s\ttop\t%d\t%s\t%.6f\t%s\n",
                  qid,
                  i + 1,
                  escape(engine.id(sd[i].doc)),
                  sd[i].score,
                  escape(r.snippets[i] == null ? "" : r.snippets[i])));
        }
        for (FacetResult fr : r.facets.values()) {
          for (LabelAndValue lv : fr.labelValues) {
            w.write(qid + "\tfacet\t" + escape(fr.dim) + "\t" + escape(lv.label) + "\t" + lv.value + "\n");
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1; // nearest rank
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  static double mean(long[] xs) {
    if (xs.length == 0) {
      return 0;
    }
    double s = 0;
    for (long x : xs) {
      s += x;
    }
    return s / xs.length / 1e6;
  }

  /**
   * CPU time of the whole JVM (all threads, GC and JIT included). On shared, noisy cores it is
   * steadier than wall time: report MB per CPU-second and CPU ms per request alongside.
   */
  static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return 0;
  }

  /** Heap in use after a full GC: the live set with the index open. */
  static double liveHeapMB() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  /** Sum of the heap pools' peak usage (garbage included). */
  static double peakHeapMB() {
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    return peak / 1048576.0;
  }

  static void emit(String json) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println(json);
  }

  static int positive(String name, String s) {
    int n = nonNegative(name, s);
    if (n == 0) {
      throw new UsageException(name + " must be positive");
    }
    return n;
  }

  static int nonNegative(String name, String s) {
    try {
      int n = Integer.parseInt(s);
      if (n < 0) {
        throw new UsageException(name + " must not be negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " " + s + " is not an integer");
    }
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Splits on unescaped sep, keeping escapes in the parts. */
  static List<String> splitRaw(String s, char sep) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == sep) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** Splits on unescaped sep and unescapes the parts. */
  static List<String> splitEscaped(String s, char sep) {
    List<String> out = new ArrayList<>();
    for (String p : splitRaw(s, sep)) {
      out.add(unescape(p));
    }
    return out;
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i == s.length()) {
        throw new IllegalArgumentException("trailing backslash in " + s);
      }
      char e = s.charAt(i);
      b.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
    }
    return b.toString();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\':
        case '|':
        case ';':
          b.append('\\').append(c);
          break;
        case '\t':
          b.append("\\t");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        default:
          b.append(c);
      }
    }
    return b.toString();
  }

  /** Bad input or arguments: a message, exit status 2, no stack trace. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String msg) {
      super(msg);
    }
  }
}
