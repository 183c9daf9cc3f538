// Writing results as markdown and long-form CSV, and checking them (the CI smoke test).
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness.h"

namespace bench {
namespace {

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string md_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const auto& c : cells) line += " " + md_cell(c) + " |";
  return line + "\n";
}

// Cells of a markdown table row ("| a | b \| c |"), honouring escaped pipes.
std::vector<std::string> split_md(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cur += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(cur);
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return cells;
}

std::vector<std::string> split_csv(const std::string& line, bool* ok) {
  std::vector<std::string> fields;
  std::string cur;
  bool quoted = false;
  *ok = true;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      if (!cur.empty()) *ok = false;
      quoted = true;
    } else if (c == ',') {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (quoted) *ok = false;
  fields.push_back(cur);
  return fields;
}

}  // namespace

std::string to_markdown(const std::vector<std::pair<std::string, std::string>>& machine,
                        const std::vector<Table>& tables) {
  std::ostringstream out;
  out << "# pageload benchmarks\n\nWritten by `pageload_bench` (rerun: `bench/run`). Timings in ms unless "
         "marked; goals are reported, never asserted.\n\n## Machine\n\n";
  out << md_row({"", ""}) << "| --- | --- |\n";
  for (const auto& [k, v] : machine) out << md_row({k, v});
  for (const auto& t : tables) {
    out << "\n## " << t.title << "\n\n";
    for (const auto& n : t.notes) out << n << "\n\n";
    out << md_row(t.columns) << "|";
    for (size_t i = 0; i < t.columns.size(); ++i) out << " --- |";
    out << "\n";
    for (const auto& r : t.rows) out << md_row(r);
  }
  return out.str();
}

std::string to_csv(const std::vector<std::pair<std::string, std::string>>& machine, const std::vector<Table>& tables) {
  std::ostringstream out;
  out << "section,row,column,value\n";
  for (const auto& [k, v] : machine) out << "machine," << csv_field(k) << ",value," << csv_field(v) << "\n";
  for (const auto& t : tables)
    for (const auto& r : t.rows)
      for (size_t i = 1; i < r.size() && i < t.columns.size(); ++i)
        out << csv_field(t.section) << "," << csv_field(r[0]) << "," << csv_field(t.columns[i]) << ","
            << csv_field(r[i]) << "\n";
  return out.str();
}

bool check_results(const std::string& dir) {
  bool ok = true;
  auto problem = [&](const std::string& what) {
    std::cerr << "check: " << what << "\n";
    ok = false;
  };
  std::ifstream md(dir + "/latest.md");
  if (!md) problem("no " + dir + "/latest.md");
  std::string line;
  size_t width = 0, tables = 0, rows = 0, line_no = 0;
  bool in_table = false, want_separator = false;
  while (std::getline(md, line)) {
    ++line_no;
    if (line.empty() || line[0] != '|') {
      in_table = false;
      continue;
    }
    auto cells = split_md(line);
    if (!in_table) {
      in_table = true;
      want_separator = true;
      width = cells.size();
      ++tables;
      continue;
    }
    if (cells.size() != width) problem("latest.md:" + std::to_string(line_no) + ": row width differs from header");
    if (want_separator) {
      for (const auto& c : cells)
        if (c.find("---") == std::string::npos) problem("latest.md:" + std::to_string(line_no) + ": no separator row");
      want_separator = false;
    } else {
      ++rows;
    }
  }
  if (tables < 9) problem("latest.md has " + std::to_string(tables) + " tables, expected 9");
  if (rows < 20) problem("latest.md has only " + std::to_string(rows) + " rows");

  std::ifstream csv(dir + "/latest.csv");
  if (!csv) problem("no " + dir + "/latest.csv");
  line_no = 0;
  std::vector<std::string> sections;
  while (std::getline(csv, line)) {
    ++line_no;
    bool fine = false;
    auto fields = split_csv(line, &fine);
    if (!fine || fields.size() != 4) {
      problem("latest.csv:" + std::to_string(line_no) + ": not 4 well-formed fields");
      continue;
    }
    if (line_no == 1 && line != "section,row,column,value") problem("latest.csv: bad header");
    if (line_no > 1 && (sections.empty() || sections.back() != fields[0])) sections.push_back(fields[0]);
  }
  for (const char* s : {"machine", "summary", "fidelity", "agreement", "cost", "scale", "db", "report", "page-report", "repeat-view"}) {
    bool found = false;
    for (const auto& x : sections) found |= x == s;
    if (!found) problem(std::string("latest.csv has no section ") + s);
  }
  if (ok) std::cerr << "check: " << dir << " well formed (" << tables << " tables, " << rows << " rows)\n";
  return ok;
}

}  // namespace bench
