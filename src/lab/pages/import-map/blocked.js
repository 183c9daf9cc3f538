import "blocked";
import "./never.js";
