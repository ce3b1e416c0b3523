package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;

/**
 * CoNLL files as published: CoNLL-U with metadata, multi-word tokens and empty nodes; Universal
 * NER's IOB2; CoNLL-2003 with spaces and document marks; and broken sentences, rejected with file,
 * line and reason.
 */
class ConllSourceFormatTest {

  static List<ParsedRow<SourceValues>> read(String yaml, String source, String file) {
    MtlConfig config = ConfigLoader.fromYaml(yaml, "conll.yaml");
    SourceConfig s = config.data().source(source);
    RowInterpreter interpreter =
        new RowInterpreter(
            s,
            config.data().key(),
            config.tasksOf(source),
            "NA",
            config.prep().image().resized(4, 4));
    ConllSourceFormat format =
        new ConllSourceFormat(interpreter, StandardCharsets.UTF_8, s.conllColumns());
    List<ParsedRow<SourceValues>> out = new ArrayList<>();
    Iterator<ParsedRow<SourceValues>> rows =
        format.rows("f.conllu", new BufferedReader(new StringReader(file)));
    rows.forEachRemaining(out::add);
    return out;
  }

  static final String UD =
      """
      data:
        key: [sent_id]
        sources:
          - {name: ud, format: conll, path: ud, text: form}
      tasks:
        - {name: pos, type: tokens, source: ud, column: upos}
        - {name: genre, type: multiclass, source: ud, column: sent_id, pattern: "^([a-z]+)-"}
      prep:
        text: {split: whitespace}
      """;

  @Test
  void conlluSentencesAreRowsOfTheirWordsWithRangesAndEmptyNodesSkipped() {
    String file =
        """
        # newdoc id = weblog-1
        # sent_id = weblog-1-0001
        # text = I didn't go.
        1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_
        2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_
        2\tdid\tdo\tAUX\tVBD\t_\t4\taux\t_\t_
        3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_
        3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_
        4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_
        5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

        # sent_id = email-7-0002
        1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_


        """;
    List<ParsedRow<SourceValues>> rows = read(UD, "ud", file);
    assertEquals(2, rows.size());
    SourceValues first = rows.get(0).value();
    assertEquals("weblog-1-0001", rows.get(0).key());
    assertEquals(1, rows.get(0).line(), "a sentence starts at its first line, metadata included");
    assertEquals("I did n't go .", first.text());
    assertArrayEquals(new String[] {"PRON AUX PART VERB PUNCT", "weblog"}, first.labels());
    assertEquals("email-7-0002", rows.get(1).key());
    assertArrayEquals(new String[] {"INTJ", "email"}, rows.get(1).value().labels());
  }

  @Test
  void aLineWithTooFewFieldsRejectsItsSentenceAndTheNextOneIsRead() {
    String file =
        """
        # sent_id = answers-1
        1\tYes\tyes\tINTJ
        2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t_\t_

        # sent_id = answers-2
        1\tNo\tno\tINTJ\tUH\t_\t0\troot\t_\t_
        """;
    List<ParsedRow<SourceValues>> rows = read(UD, "ud", file);
    assertEquals(2, rows.size());
    Reject reject = rows.get(0).reject();
    assertEquals("f.conllu", reject.file());
    assertEquals(1, reject.line());
    assertTrue(
        reject.reason().contains("line 2 has 4 fields where columns names 10"), reject.reason());
    assertTrue(reject.raw().contains("Yes"), reject.raw());
    assertEquals("answers-2", rows.get(1).key());
  }

  @Test
  void aSentenceIdThePatternFindsNothingInIsRejectedNamingThePattern() {
    String file = "# sent_id = 0042\n1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n";
    Reject reject = read(UD, "ud", file).get(0).reject();
    assertEquals("sent_id", reject.field());
    assertTrue(reject.reason().contains("pattern \"^([a-z]+)-\""), reject.reason());
  }

  @Test
  void iob2FilesTakeTheirOwnColumnNames() {
    String yaml =
        """
        data:
          key: [sent_id]
          sources:
            - {name: ner, format: conll, path: n, columns: [id, form, tag, a1, a2], text: form}
        tasks:
          - {name: entities, type: tokens, source: ner, column: tag}
        prep:
          text: {split: whitespace}
        """;
    String file =
        """
        # sent_id = answers-1
        # text = in tampa bay
        1\tin\tO\t-\t-
        2\ttampa\tB-LOC\t-\tstephen
        3\tbay\tI-LOC\t-\tstephen
        """;
    List<ParsedRow<SourceValues>> rows = read(yaml, "ner", file);
    assertEquals(1, rows.size());
    assertEquals("in tampa bay", rows.get(0).value().text());
    assertArrayEquals(new String[] {"O B-LOC I-LOC"}, rows.get(0).value().labels());
  }

  static final String CONLL2003 =
      """
      data:
        key: [sentence]
        sources:
          - {name: c, format: conll, path: c, columns: [word, pos, chunk, ner], text: word}
      tasks:
        - {name: entities, type: tokens, source: c, column: ner}
      prep:
        text: {split: whitespace}
      """;

  @Test
  void conll2003SplitsOnSpacesSkipsDocumentMarksAndNumbersSentences() {
    String file =
        """
        -DOCSTART- -X- -X- O

        EU NNP B-NP B-ORG
        rejects VBZ B-VP O
        German JJ B-NP B-MISC

        Peter NNP B-NP B-PER
        Blackburn NNP I-NP I-PER
        """;
    List<ParsedRow<SourceValues>> rows = read(CONLL2003, "c", file);
    assertEquals(2, rows.size());
    assertEquals("1", rows.get(0).key());
    assertEquals("EU rejects German", rows.get(0).value().text());
    assertArrayEquals(new String[] {"B-ORG O B-MISC"}, rows.get(0).value().labels());
    assertEquals("2", rows.get(1).key());
    assertEquals(7, rows.get(1).line());
  }

  @Test
  void metadataKeysBecomeCellNames() {
    assertEquals("sent_id", ConllSourceFormat.metadataName(" sent_id "));
    assertEquals("newdoc_id", ConllSourceFormat.metadataName("newdoc id"));
    assertArrayEquals(new String[] {"text", "a = b"}, ConllSourceFormat.metadata("# text = a = b"));
    assertNull(ConllSourceFormat.metadata("# just a comment"));
  }

  @Test
  void aHashIsATokenWhereTokenLinesHaveNoIdAndACommentInsideASentenceIsSkipped() {
    String file = "# note for the reader\n# NN B-NP O\nno DT B-NP O\n";
    List<ParsedRow<SourceValues>> rows = read(CONLL2003, "c", file);
    assertEquals("# no", rows.get(0).value().text(), "'# NN B-NP O' has a token's four fields");
    assertTrue(ConllSourceFormat.comment("# sent_id = a", 4, 4, false), "a key = value line");
    assertTrue(ConllSourceFormat.comment("# note", 2, 10, false));
    String conllu =
        "# sent_id = email-1\n1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n"
            + "# a remark\n2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t_\t_\n";
    List<ParsedRow<SourceValues>> u = read(UD, "ud", conllu);
    assertEquals("Hi !", u.get(0).value().text());
  }
}
