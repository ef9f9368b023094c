// export_state.h: the window's figure-export dialogs (figure_export.cpp): the
// right-click menu of a panel, "Export figure…", "Export data (CSV)" and File >
// "Export all panels", and the export waiting to run between two frames.
#pragma once

#include <string>

namespace moe::gui {

struct ExportState {
  int menu_panel = -1;          // the panel whose right-click menu is open (index in kPanels)
  int dialog = 0;               // 0 none, 1 figure, 2 data (CSV), 3 all panels
  bool open_dialog = false;     // open the dialog's popup next frame
  char path[512] = {};          // the file (figure, CSV) or the folder (all panels)
  int format = 0;               // 0 SVG, 1 PDF, 2 PNG
  bool figure = true;           // figure mode (no chrome, print layout)
  char size[32] = "3.5x2.4in";  // as `shot --size`
  float font_pt = 8;            // as `shot --font-pt`
  bool pending = false;         // run_pending_exports has work
  std::string error;            // the dialog's red note
};

}  // namespace moe::gui
