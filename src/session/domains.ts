export { byWeight, ckaWeights, type Domain } from "../catalog/curriculum.js";
